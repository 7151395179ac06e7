/**
 * Cross-cutting functions: the outbox relay (table stream → bus), the audit log of domain events, the
 * OpenAPI document and the health check.
 */
import { EVENT_SOURCE } from '../../events/registry.ts';
import { envSchema } from '../../shared/config/env.ts';
import { domainModule } from '../spec.ts';

export const platform = domainModule(
  'platform',
  {
    openapi: {
      entry: 'functions/platform/openapi.ts',
      description: 'Serves the OpenAPI document',
      env: envSchema(),
      trigger: { kind: 'http' },
      access: {},
    },
    health: {
      entry: 'functions/platform/health.ts',
      description: 'Health check: a cheap read of the table',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      access: { table: 'read' },
      timeoutSeconds: 5,
    },
    audit: {
      entry: 'functions/platform/audit.ts',
      description: 'Logs domain events for ops',
      env: envSchema(),
      trigger: {
        kind: 'events',
        rules: [
          {
            name: 'case-activity-audit',
            description: 'Every case event is kept in the audit log group for ops',
            pattern: {
              source: [EVENT_SOURCE],
              'detail-type': ['Case Opened', 'Case Status Changed', 'Technician Assigned', 'Case Updated'],
            },
          },
          {
            name: 'survey-activity-audit',
            description:
              'Survey answers and the complaints they raise are kept in the audit log group for ops',
            pattern: { source: [EVENT_SOURCE], 'detail-type': ['Survey Answered', 'Complaint Raised'] },
          },
          {
            name: 'directory-audit',
            description: 'Every change of a branch, staff member, customer or product unit is kept for ops',
            pattern: { source: [EVENT_SOURCE], 'detail-type': ['Directory Record Changed'] },
          },
          {
            name: 'sla-escalation-audit',
            description: 'SLA warnings, breaches and escalations are kept in the audit log group for ops',
            pattern: {
              source: [EVENT_SOURCE],
              'detail-type': ['SLA Warning', 'SLA Breached', 'Case Escalated'],
            },
          },
        ],
      },
      access: {},
      timeoutSeconds: 30,
    },
    'event-relay': {
      entry: 'functions/platform/event-relay.ts',
      description: 'Relays domain events from the table stream (transactional outbox) to the bus',
      env: envSchema('EVENT_BUS_NAME'),
      trigger: { kind: 'stream' },
      access: { bus: 'publish' },
      timeoutSeconds: 30,
    },
  },
  {
    'GET /openapi.json': {
      fn: 'openapi',
      summary: 'This API as OpenAPI 3.1',
      description: 'This document, listing the server that answered',
      roles: 'public',
    },
    'GET /health': {
      fn: 'health',
      summary: 'Whether the API can reach its table: 200, or 503 problem+json',
      description: 'A cheap read of the table; 503 when the store cannot be reached',
      errors: [503],
      roles: 'public',
    },
  },
);
