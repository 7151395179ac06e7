/**
 * SLA policies as data (SPEC §4): the time limit of each milestone, the escalation ladder and who is
 * told. Every field defaults to the SPEC numbers, so `{}` parses to {@link defaultPolicy}; managers
 * edit a branch's policy through the API (`PUT /sla/branches/{id}/policy`).
 */
import * as z from 'zod/mini';
import { type Contact, contactSchema, lazySchema } from '../validation.ts';

/** The milestones kept per case. */
export const milestoneKinds = ['first_response', 'arrival', 'repair_completion', 'workshop_repair'] as const;
export type MilestoneKind = (typeof milestoneKinds)[number];

/** Who an escalation step goes to. */
export const escalationRoles = ['dispatcher', 'supervisor', 'manager'] as const;
export type EscalationRole = (typeof escalationRoles)[number];

/** How loud a step is; also picks its event (`SLA Warning`, `SLA Breached`, `Case Escalated`). */
export const escalationLevels = ['warning', 'urgent', 'breach', 'escalation'] as const;
export type EscalationLevel = (typeof escalationLevels)[number];

const minutes = () => z.number().check(z.gt(0), z.lte(60 * 24 * 365));

const stepSchema = lazySchema(() =>
  z.strictObject({
    /** Short id, part of schedule names and escalation records: lower-case letters and digits. */
    id: z
      .string()
      .check(z.maxLength(12), z.regex(/^[a-z0-9]{1,12}$/, 'expected 1–12 lower-case letters or digits')),
    /** Share of the milestone's time limit used up when the step fires (100 = the due time). */
    percent: z.number().check(z.gt(0), z.lte(1000)),
    /** Extra working minutes after that point (breach + 2 working hours → manager). */
    afterWorkingMinutes: z._default(z.number().check(z.gte(0), z.lte(60 * 24 * 365)), 0),
    notify: z.enum(escalationRoles),
    level: z.enum(escalationLevels),
  }),
);
export type EscalationStep = z.infer<typeof stepSchema>;

const ladderSchema = lazySchema(() =>
  z.array(stepSchema).check(
    z.minLength(1),
    z.maxLength(8),
    z.refine((steps) => new Set(steps.map((s) => s.id)).size === steps.length, 'step ids must not repeat'),
  ),
);

/** An escalation contact. */
export type EscalationContact = Contact;
const contacts = () => z._default(z.array(contactSchema).check(z.maxLength(20)), () => []);

export const SlaPolicySchema = lazySchema(() =>
  z.strictObject({
    /** First response to a request, working minutes (001 四(一)). */
    firstResponseMinutes: z._default(minutes(), 30),
    /** Arrival on site counted from the call, working minutes per zone (000 (十九)). */
    arrivalMinutes: z._default(z.strictObject({ urban: minutes(), suburban: minutes() }), () => ({
      urban: 360,
      suburban: 420,
    })),
    /** Equipment down: on site within this many calendar hours (001 四(一)). */
    emergencyArrivalHours: z._default(minutes(), 24),
    /** Repair completion promised at diagnosis, working minutes from the diagnosis (000 五.12). */
    repairCompletionMinutes: z._default(minutes(), 3 * 600),
    /** A carry-in repair is overdue after this many working minutes in the workshop (000 (十四)). */
    workshopRepairMinutes: z._default(minutes(), 5 * 600),
    /** Ladder of first response, arrival and repair completion. */
    ladder: z._default(ladderSchema, () => [
      {
        id: 'p50',
        percent: 50,
        afterWorkingMinutes: 0,
        notify: 'dispatcher' as const,
        level: 'warning' as const,
      },
      {
        id: 'p75',
        percent: 75,
        afterWorkingMinutes: 0,
        notify: 'dispatcher' as const,
        level: 'urgent' as const,
      },
      {
        id: 'breach',
        percent: 100,
        afterWorkingMinutes: 0,
        notify: 'supervisor' as const,
        level: 'breach' as const,
      },
      {
        id: 'mgr',
        percent: 100,
        afterWorkingMinutes: 120,
        notify: 'manager' as const,
        level: 'escalation' as const,
      },
    ]),
    /** Overdue workshop repairs are reported to the supervisor (000 (十四)). */
    workshopLadder: z._default(ladderSchema, () => [
      {
        id: 'breach',
        percent: 100,
        afterWorkingMinutes: 0,
        notify: 'supervisor' as const,
        level: 'breach' as const,
      },
    ]),
    /** Who is told at each step, per role of the branch: e-mail addresses or staff of the directory. */
    escalationContacts: z._default(
      z.strictObject({ dispatcher: contacts(), supervisor: contacts(), manager: contacts() }),
      () => ({ dispatcher: [], supervisor: [], manager: [] }),
    ),
  }),
);
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;
export type SlaPolicyInput = z.input<typeof SlaPolicySchema>;

export function parsePolicy(input: unknown): SlaPolicy {
  return SlaPolicySchema.parse(input);
}

let defaults: SlaPolicy | undefined;
/** SPEC §4 numbers, nobody to e-mail (parsed on first use, not at import). */
export function defaultPolicy(): SlaPolicy {
  defaults ??= parsePolicy({});
  return defaults;
}
