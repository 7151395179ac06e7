/**
 * The complaints domain (SPEC §7–8): complaints registered on every channel, their investigation as a
 * Step Functions workflow (`workflows/complaint-investigation.asl.json`) with human steps completed
 * through the API, the case library and the supervisor visits.
 */
import * as z from 'zod/mini';
import { EVENT_SOURCE } from '../../events/registry.ts';
import {
  actionsSchema,
  analysisSchema,
  complaintIdSchema,
  complaintInputSchema,
  customerAnswerSchema,
  decisionSchema,
  investigationAreas,
  investigationSchema,
  libraryQuerySchema,
  publishSchema,
  supervisorReportSchema,
} from '../../shared/complaints/forms.ts';
import { complaintSettingsSchema, complaintStatuses } from '../../shared/complaints/model.ts';
import { envSchema, SLA_TIMER_ENV } from '../../shared/config/env.ts';
import { cursorParam, limitParam, pageQuerySchema } from '../../shared/http/query.ts';
import { lazySchema } from '../../shared/validation.ts';
import { domainModule, type WorkflowSpec } from '../spec.ts';

/** The investigation state machine: one ASL file, deployed by CDK and executed locally alike. */
export const complaintInvestigation: WorkflowSpec = {
  name: 'complaint-investigation',
  description:
    'Complaint investigation: acknowledge, report, investigate, analyse, act, decide, answer, close',
  definitionFile: 'workflows/complaint-investigation.asl.json',
  taskFunctionSubstitution: 'ComplaintTaskFunctionArn',
};

const staff = ['agent', 'dispatcher', 'manager'] as const;
/** Supervisors (dispatchers) handle complaints in person; managers decide above them (SPEC §2). */
const handlers = ['dispatcher', 'manager'] as const;
const idParams = { id: complaintIdSchema };
const stepRoute = (
  summary: string,
  body: z.ZodMiniType,
  roles: readonly ('agent' | 'dispatcher' | 'manager')[] = handlers,
) => ({
  fn: 'complaints-api' as const,
  summary,
  roles,
  params: idParams,
  body,
  errors: [404, 409],
});

export const complaints = domainModule(
  'complaints',
  {
    'complaints-api': {
      entry: 'functions/complaints/api.ts',
      description: 'Complaint registration, reads, human steps of the investigation, the case library',
      env: lazySchema(() =>
        envSchema('TABLE_NAME', 'SLA_SCHEDULE_GROUP', 'MAIL_FROM', 'SES_CONFIGURATION_SET'),
      ),
      trigger: { kind: 'http' },
      // Events leave through the table's outbox; a completed step's schedules are removed, its task
      // answered, a written answer mailed.
      access: {
        table: 'write',
        timers: 'delete',
        mail: 'send',
        workflow: { name: complaintInvestigation.name, may: ['respond'] },
      },
    },
    'complaints-workflow-start': {
      entry: 'functions/complaints/start.ts',
      description: 'Starts the investigation of every complaint raised, on any channel',
      env: envSchema('TABLE_NAME', 'COMPLAINT_WORKFLOW_ARN'),
      trigger: {
        kind: 'events',
        rules: [
          {
            name: 'complaint-investigation-start',
            description: 'Every complaint raised (directly or from a survey) starts its investigation',
            pattern: { source: [EVENT_SOURCE], 'detail-type': ['Complaint Raised'] },
          },
        ],
      },
      access: { workflow: { name: complaintInvestigation.name, may: ['start'] } },
    },
    'complaints-workflow': {
      entry: 'functions/complaints/workflow.ts',
      description: 'Task function of the complaint investigation: acknowledge, open steps, reopen, close',
      env: envSchema('TABLE_NAME', ...SLA_TIMER_ENV, 'MAIL_FROM', 'SES_CONFIGURATION_SET'),
      trigger: { kind: 'workflow-task', workflow: complaintInvestigation },
      // A step completed already answers its own (replayed) task; steps schedule their deadlines.
      access: {
        table: 'write',
        timers: 'manage',
        mail: 'send',
        workflow: { name: complaintInvestigation.name, may: ['respond'] },
      },
      timeoutSeconds: 30,
    },
  },
  {
    'POST /complaints': {
      fn: 'complaints-api',
      summary: 'Register a complaint (hotline, letter, e-mail, walk-in; customers through the portal)',
      roles: ['customer', ...staff],
      body: complaintInputSchema,
      success: [201],
    },
    'GET /complaints': {
      fn: 'complaints-api',
      summary: 'Complaints in a status (default: registered, not yet acknowledged), oldest first',
      roles: staff,
      query: lazySchema(() =>
        z.strictObject({
          status: z.optional(z.enum(complaintStatuses)),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
    },
    'GET /complaints/{id}': {
      fn: 'complaints-api',
      summary:
        'A complaint: staff the whole record with its steps, customers their own with its visible status',
      roles: ['customer', ...staff],
      params: idParams,
      errors: [404],
    },
    'GET /complaints/{id}/timeline': {
      fn: 'complaints-api',
      summary:
        'Timeline of a complaint: every step with who and when (customers: the entries meant for them)',
      roles: ['customer', ...staff],
      params: idParams,
      errors: [404],
    },
    'GET /complaints/{id}/steps': {
      fn: 'complaints-api',
      summary: 'The investigation steps of a complaint: owner, due time, status, form',
      roles: staff,
      params: idParams,
      errors: [404],
    },
    'GET /customers/me/complaints': {
      fn: 'complaints-api',
      summary: "The caller's own complaints, newest first, with their customer-visible status",
      // Managers may call every route (SPEC §2); they simply have no complaints of their own.
      roles: ['customer', 'manager'],
      query: pageQuerySchema,
    },
    'GET /complaint-steps': {
      fn: 'complaints-api',
      summary: "Waiting investigation steps owned by a role (default: the caller's), soonest due first",
      roles: staff,
      query: lazySchema(() =>
        z.strictObject({
          ownerRole: z.optional(z.enum(staff)),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
    },
    'POST /complaints/{id}/report': stepRoute(
      'Report to the supervisor (due within 4 working hours): summary, which investigations are needed, reclassification',
      supervisorReportSchema,
    ),
    'POST /complaints/{id}/investigations/{area}': {
      ...stepRoute(
        'An investigation: sales verifies order, part, quantity, ship date; quality cause and responsibility; production unit, shift, operator, date',
        investigationSchema,
        staff,
      ),
      params: { id: complaintIdSchema, area: z.enum(investigationAreas) },
    },
    'POST /complaints/{id}/analysis': stepRoute(
      'The written analysis report: cause and responsibility',
      analysisSchema,
    ),
    'POST /complaints/{id}/actions': stepRoute(
      'Corrective and preventive actions, each with owner and deadline',
      actionsSchema,
    ),
    'POST /complaints/{id}/decision': stepRoute(
      "The decision within the approver's authority; above it, the next level decides",
      decisionSchema,
    ),
    'POST /complaints/{id}/customer-answer': stepRoute(
      'The answer told to the customer (written or by phone) and whether they are satisfied',
      customerAnswerSchema,
      staff,
    ),
    'POST /complaints/{id}/publish': {
      fn: 'complaints-api',
      summary: 'Add a closed complaint to the case library: problem type, cause, handling, lessons',
      roles: handlers,
      params: idParams,
      body: publishSchema,
      success: [201],
      errors: [404, 409],
    },
    'GET /complaint-library': {
      fn: 'complaints-api',
      summary: 'The case library of typical complaints, by product line (and cause) or by cause',
      roles: ['agent', 'dispatcher', 'technician', 'manager'],
      query: libraryQuerySchema,
    },
    'GET /complaint-settings': {
      fn: 'complaints-api',
      summary:
        'Complaint settings: rounds before an individual case, approval limits, vice president, leadership',
      roles: staff,
    },
    'POST /complaint-settings': {
      fn: 'complaints-api',
      summary: 'Replace the complaint settings; omitted fields take their defaults',
      roles: ['manager'],
      body: complaintSettingsSchema,
    },
    'GET /tasks/supervisor-visits': {
      fn: 'complaints-api',
      summary: 'Open supervisor visits to complaining customers',
      roles: ['dispatcher', 'manager'],
      query: pageQuerySchema,
    },
  },
);
