/**
 * EventBridge rules as data: the CDK events stack creates one rule per entry, and the local bus routes
 * with the very same patterns. Targets name a consumer function declared in `functions/consumers.ts`.
 */
import { EVENT_SOURCE } from './registry.ts';

export interface EventPattern {
  source?: string[];
  'detail-type'?: string[];
  detail?: Record<string, unknown>;
}

export interface EventRule {
  /** Stable name, also the construct id. */
  name: string;
  description: string;
  pattern: EventPattern;
  /** Consumer function id (see `functions/consumers.ts`). */
  target: string;
}

/** Rules of the cases domain; later domains (SLA, surveys, complaints) append theirs. */
export const eventRules: EventRule[] = [
  {
    name: 'case-activity-audit',
    description: 'Every case event is kept in the audit log group for ops',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['Case Opened', 'Case Status Changed', 'Technician Assigned', 'Case Updated'],
    },
    target: 'audit',
  },
  {
    name: 'survey-activity-audit',
    description: 'Survey answers and the complaints they raise are kept in the audit log group for ops',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Survey Answered', 'Complaint Raised'] },
    target: 'audit',
  },
  {
    name: 'sla-clock',
    description: 'Keeps SLA milestones, timers and the dispatch queue in line with cases and calendars',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['Case Opened', 'Case Updated', 'SLA Calendar Changed'],
    },
    target: 'sla-clock',
  },
  {
    name: 'sla-escalation-audit',
    description: 'SLA warnings, breaches and escalations are kept in the audit log group for ops',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['SLA Warning', 'SLA Breached', 'Case Escalated'] },
    target: 'audit',
  },
];
