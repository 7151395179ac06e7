/**
 * The investigation of a complaint (SPEC §8, 002, 003 六), driven by the state machine in
 * `workflows/complaint-investigation.asl.json`. The workflow calls {@link runWorkflowTask} for its steps:
 * acknowledging, opening each human step (which stores the step's task token and schedules its
 * deadline), handling again and closing. People complete human steps through the API
 * ({@link completeStep}): the form is validated, the step and the complaint are written in one unit of
 * work with their timeline entry and events, and only then is the waiting task answered. Overdue steps
 * climb the branch's SLA ladder through the same Scheduler timers ({@link handleStepTimer}).
 *
 * Every task is idempotent: a redelivered or replayed task finds its work done and answers the same, so an
 * execution replayed from the start (the local runtime after a restart) resumes at the step still waiting.
 */
import { isDeepStrictEqual } from 'node:util';
import { domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, type Role } from '../auth/actor.ts';
import type { DirectoryStore } from '../directory/store.ts';
import {
  ForbiddenError,
  NotFoundError,
  StateConflictError,
  ValidationError,
  VersionConflictError,
} from '../errors.ts';
import type { Mailer } from '../notify/mailer.ts';
import { addWorkingMinutes, type WorkingCalendar, workingMinutesBetween } from '../sla/calendar.ts';
import type { EscalationStep } from '../sla/policy.ts';
import { addressesOf } from '../sla/service.ts';
import type { SlaStore } from '../sla/store.ts';
import { complaintStepTimerName, type TimerPayload, type TimerPort } from '../sla/timers.ts';
import { insert, put, UnitOfWork } from '../store/unit-of-work.ts';
import type { InvestigationArea } from './forms.ts';
import {
  type Complaint,
  type ComplaintSettings,
  type ComplaintStep,
  complaintKeys,
  STEP_ESCALATION_SCHEMA_VERSION,
  STEP_SCHEMA_VERSION,
  type StepEscalation,
  type StepKind,
  stepIdOf,
  stepItem,
} from './model.ts';
import {
  type ActorRef,
  actorRef,
  type ComplaintDeps,
  complaintChange,
  refOf,
  WORKFLOW_ACTOR,
} from './service.ts';
import { StaleTaskTokenError, type WorkflowPort } from './workflow.ts';

export interface InvestigationDeps extends ComplaintDeps {
  now: () => Date;
  /** Branch calendars and SLA policies (ladder and contacts), shared with the SLA clocks. */
  branchSettings: Pick<SlaStore, 'getSetting'>;
  directory: Pick<DirectoryStore, 'getStaff'>;
  timers: TimerPort;
  mailer: Mailer;
  workflow: WorkflowPort;
  log?: (message: string, details: Record<string, unknown>) => void;
}

/** Working minutes each human step gets on the branch calendar; the supervisor's report 4 hours (002). */
export const stepMinutes: Record<StepKind, number> = {
  supervisor_report: 240,
  sales_verification: 1200,
  quality_investigation: 1200,
  production_investigation: 1200,
  analysis: 600,
  actions: 600,
  decision: 600,
  customer_answer: 600,
};

/** The whole complaint is due within this many working minutes (major ones sooner). */
const complaintMinutes = { ordinary: 6000, serious: 3000, major: 1800 } as const;

/** Who owns a step. Sales verification is reception's (业务员); individual cases are leadership's. */
function ownerOf(c: Complaint, kind: StepKind, level: number): ComplaintStep['ownerRole'] {
  if (c.individualCase) return 'manager';
  if (kind === 'decision') return level >= 2 ? 'manager' : 'dispatcher';
  return kind === 'sales_verification' ? 'agent' : 'dispatcher';
}

/** Roles that may complete a step besides its owner: managers always; reception tells the customer too. */
function mayComplete(actor: Actor, step: ComplaintStep): boolean {
  const allowed: Role[] = [step.ownerRole, 'manager'];
  if (step.kind === 'customer_answer' && step.ownerRole !== 'manager') allowed.push('agent');
  return hasRole(actor, allowed);
}

async function branchCalendar(deps: InvestigationDeps, branchId: string): Promise<WorkingCalendar> {
  return (await deps.branchSettings.getSetting('calendar', branchId)).value;
}

async function loadComplaint(deps: ComplaintDeps, id: string): Promise<Complaint> {
  const c = await deps.complaints.get(id);
  if (!c) throw new NotFoundError(`no complaint ${id}`);
  return c;
}

const when = (iso: string, calendar: WorkingCalendar) =>
  new Date(iso).toLocaleString('en-GB', {
    timeZone: calendar.timezone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });

// ---- workflow tasks ----

export type WorkflowTask =
  | { action: 'acknowledge'; complaintId: string; round: number }
  | {
      action: 'open-step';
      complaintId: string;
      step: StepKind;
      round: number;
      level: number;
      taskToken: string;
    }
  | { action: 'reopen'; complaintId: string; round: number }
  | { action: 'close'; complaintId: string; round: number };

/** Runs one task of the investigation state machine. */
export async function runWorkflowTask(
  deps: InvestigationDeps,
  task: WorkflowTask,
): Promise<Record<string, unknown>> {
  switch (task.action) {
    case 'acknowledge':
      return acknowledge(deps, task.complaintId);
    case 'open-step':
      return openStep(deps, task);
    case 'reopen':
      return reopen(deps, task.complaintId, task.round);
    case 'close':
      return close(deps, task.complaintId);
  }
}

/**
 * Acknowledges the complaint to the customer with the process and the expected time (a mail, or a letter
 * recorded for the post when there is no address), and tells the vice president at once of a major one.
 * Mails go before the write, so a retry may repeat them but never skips them.
 */
async function acknowledge(deps: InvestigationDeps, id: string): Promise<Record<string, unknown>> {
  const c = await loadComplaint(deps, id);
  if (c.acknowledgedAt) return { severity: c.severity };
  const calendar = await branchCalendar(deps, c.branchId);
  const now = deps.now();
  const at = now.toISOString();
  const dueAt = addWorkingMinutes(calendar, now, complaintMinutes[c.severity]).toISOString();
  const reportBy = addWorkingMinutes(calendar, now, stepMinutes.supervisor_report).toISOString();
  const settings = await deps.complaints.settings();
  const method = c.customer.email ? 'email' : 'letter';
  if (c.customer.email) {
    await deps.mailer.sendEmail({
      to: c.customer.email,
      subject: `Your complaint ${c.number} is registered`,
      text: [
        `Dear ${c.customer.name},`,
        '',
        `we have registered your complaint ${c.number} and will handle it as follows:`,
        `1. your complaint goes to the responsible supervisor by ${when(reportBy, calendar)};`,
        '2. sales, quality and production look into it where relevant;',
        '3. we write an analysis with corrective and preventive actions and decide on a remedy;',
        '4. we tell you the outcome and ask whether you are satisfied — if not, we handle it again.',
        '',
        `You can expect our answer by ${when(dueAt, calendar)} (${calendar.timezone}).`,
      ].join('\n'),
    });
  }
  const vp = c.special ? await addressesOf(deps, settings.vicePresident) : [];
  for (const to of vp) {
    await deps.mailer.sendEmail({
      to,
      subject: `[MAJOR complaint] ${c.number}: special case, top priority`,
      text: [
        `A major complaint was registered (${c.channel}) and is handled as a special case with top priority.`,
        `Customer: ${c.customer.name}${c.customer.phone ? `, ${c.customer.phone}` : ''}.`,
        `Subject: ${c.subject} → ${c.department}. A written answer is required.`,
        '',
        c.text,
      ].join('\n'),
    });
  }
  const unit = new UnitOfWork();
  complaintChange(
    unit,
    c,
    { ...c, status: 'investigating', acknowledgedAt: at, dueAt },
    {
      at,
      actor: WORKFLOW_ACTOR,
      action: 'acknowledged',
      details: {
        method,
        expectedBy: dueAt,
        reportToSupervisorBy: reportBy,
        ...(c.special ? { vicePresident: vp } : {}),
      },
      customerVisible: true,
    },
  );
  if (c.special)
    unit.emit(
      domainEvent('Complaint Escalated', {
        ...refOf(c, at, WORKFLOW_ACTOR),
        reason: 'major',
        round: c.round,
        recipients: vp,
      }),
    );
  await deps.complaints.commit(unit);
  return { severity: c.severity };
}

/** The rungs of the branch's SLA ladder that fire once a step is overdue (at or past 100 %). */
function overdueRungs(ladder: readonly EscalationStep[]): EscalationStep[] {
  return ladder.filter((s) => s.percent >= 100);
}

function rungFireAt(calendar: WorkingCalendar, step: ComplaintStep, rung: EscalationStep): string {
  const minutes = (step.workingMinutes * rung.percent) / 100 + rung.afterWorkingMinutes;
  return addWorkingMinutes(calendar, new Date(step.openedAt), minutes).toISOString();
}

/**
 * Opens a human step (or re-enters it): the step item with its owner, due time and the task token the
 * execution waits on, and one schedule per overdue rung. A step completed already answers its task at
 * once with what it resolved to (a replayed execution moves on).
 */
async function openStep(
  deps: InvestigationDeps,
  task: Extract<WorkflowTask, { action: 'open-step' }>,
): Promise<Record<string, unknown>> {
  const stepId = stepIdOf(task.complaintId, task.round, task.step, task.level);
  const existing = await deps.complaints.getStep(task.complaintId, stepId);
  if (existing?.status === 'done') {
    await deps.workflow.succeed(task.taskToken, existing.output ?? {});
    return { stepId, replayed: true };
  }
  if (existing) {
    // Re-entered (a timed-out wait, or a replay): the step keeps its deadline, the token is the new one.
    await deps.complaints.commit(
      new UnitOfWork().add(
        put(stepItem({ ...existing, taskToken: task.taskToken, version: existing.version + 1 }), {
          condition: 'version = :v',
          values: { ':v': existing.version },
        }),
      ),
    );
    return { stepId, reentered: true };
  }
  const c = await loadComplaint(deps, task.complaintId);
  const [calendar, policy] = await Promise.all([
    branchCalendar(deps, c.branchId),
    deps.branchSettings.getSetting('policy', c.branchId),
  ]);
  const now = deps.now();
  const at = now.toISOString();
  const minutes = stepMinutes[task.step];
  const step: ComplaintStep = {
    entity: 'ComplaintStep',
    schemaVersion: STEP_SCHEMA_VERSION,
    id: stepId,
    complaintId: c.id,
    branchId: c.branchId,
    kind: task.step,
    round: task.round,
    level: task.level,
    ownerRole: ownerOf(c, task.step, task.level),
    status: 'waiting',
    openedAt: at,
    dueAt: addWorkingMinutes(calendar, now, minutes).toISOString(),
    workingMinutes: minutes,
    taskToken: task.taskToken,
    timers: [],
    version: 1,
  };
  const rungs = overdueRungs(policy.value.ladder).map((r) => ({
    rung: r,
    fireAt: rungFireAt(calendar, step, r),
  }));
  step.timers = rungs.map((r) => complaintStepTimerName(stepId, r.rung.id, r.fireAt));
  // The step item is the record of its opening (owner, due time); only the customer's answer changes the
  // complaint — parallel investigations open their steps at once and must not contend for its version.
  const unit = new UnitOfWork<'opened'>().add(insert(stepItem(step), 'opened'));
  if (task.step === 'customer_answer')
    complaintChange(
      unit,
      c,
      { ...c, status: 'awaiting_customer' },
      {
        at,
        actor: WORKFLOW_ACTOR,
        action: 'customer-answer-due',
        details: { stepId, round: task.round, dueAt: step.dueAt },
        customerVisible: false,
      },
    );
  // Opened meanwhile by a concurrent delivery of this task: that one scheduled its timers.
  if ((await deps.complaints.commit(unit)) === 'opened') return { stepId, duplicate: true };
  for (const r of rungs) {
    const payload: TimerPayload = {
      kind: 'complaint-step',
      complaintId: c.id,
      stepId,
      rung: r.rung.id,
      fireAt: r.fireAt,
    };
    await deps.timers.scheduleOnce({
      name: complaintStepTimerName(stepId, r.rung.id, r.fireAt),
      at: new Date(r.fireAt),
      payload,
    });
  }
  return { stepId, ownerRole: step.ownerRole, dueAt: step.dueAt };
}

/**
 * The customer was not satisfied with round `round`: the complaint is handled again. After the
 * configured rounds it becomes an individual case for leadership (000 三.9), who are told at once.
 * Idempotent: a round already reopened is left as it is.
 */
async function reopen(deps: InvestigationDeps, id: string, round: number): Promise<Record<string, unknown>> {
  const c = await loadComplaint(deps, id);
  if (c.round > round) return { round: c.round, individualCase: c.individualCase };
  const settings = await deps.complaints.settings();
  const escalate = !c.individualCase && round >= settings.maxRounds;
  const leadership = escalate ? await addressesOf(deps, settings.leadership) : [];
  for (const to of leadership) {
    await deps.mailer.sendEmail({
      to,
      subject: `[Individual case] complaint ${c.number} unresolved after ${round} rounds`,
      text: [
        `Complaint ${c.number} of ${c.customer.name} is still not resolved after ${round} rounds of handling`,
        'and is now an individual case handled by leadership; its next steps are yours.',
        '',
        c.text,
      ].join('\n'),
    });
  }
  const at = deps.now().toISOString();
  const after: Complaint = {
    ...c,
    round: round + 1,
    status: 'investigating',
    individualCase: c.individualCase || escalate,
    ...(escalate ? { priority: 0 } : {}),
  };
  const unit = new UnitOfWork();
  complaintChange(unit, c, after, {
    at,
    actor: WORKFLOW_ACTOR,
    action: escalate ? 'individual-case' : 'reopened',
    details: { round: after.round, ...(escalate ? { leadership } : {}) },
    customerVisible: true,
  }).emit(
    domainEvent('Complaint Reopened', {
      ...refOf(c, at, WORKFLOW_ACTOR),
      round: after.round,
      individualCase: after.individualCase,
    }),
  );
  if (escalate)
    unit.emit(
      domainEvent('Complaint Escalated', {
        ...refOf(c, at, WORKFLOW_ACTOR),
        reason: 'individual_case',
        round,
        recipients: leadership,
      }),
    );
  await deps.complaints.commit(unit);
  return { round: after.round, individualCase: after.individualCase };
}

/** The customer is satisfied: the complaint is closed (measures: on time, rounds, cause, department). */
async function close(deps: InvestigationDeps, id: string): Promise<Record<string, unknown>> {
  const c = await loadComplaint(deps, id);
  if (c.status === 'closed') return { closedAt: c.closedAt };
  const at = deps.now().toISOString();
  const onTime = !c.dueAt || at <= c.dueAt;
  const unit = new UnitOfWork();
  complaintChange(
    unit,
    c,
    { ...c, status: 'closed', closedAt: at },
    {
      at,
      actor: WORKFLOW_ACTOR,
      action: 'closed',
      details: { rounds: c.round, onTime },
      customerVisible: true,
    },
  ).emit(
    domainEvent('Complaint Closed', {
      ...refOf(c, at, WORKFLOW_ACTOR),
      department: c.department,
      ...(c.cause ? { cause: c.cause } : {}),
      severity: c.severity,
      rounds: c.round,
      individualCase: c.individualCase,
      createdAt: c.createdAt,
      closedAt: at,
      ...(c.dueAt ? { dueAt: c.dueAt } : {}),
      onTime,
    }),
  );
  await deps.complaints.commit(unit);
  return { closedAt: at };
}

// ---- human steps, completed through the API ----

const areaStep: Record<InvestigationArea, StepKind> = {
  sales: 'sales_verification',
  quality: 'quality_investigation',
  production: 'production_investigation',
};
export const stepOfArea = (area: InvestigationArea): StepKind => areaStep[area];

/** The approval limit of a decision level (level 3 and above: leadership, unlimited). */
function authorityOf(settings: ComplaintSettings, level: number): number {
  if (level <= 1) return settings.approvalLimits.dispatcher;
  if (level === 2) return settings.approvalLimits.manager;
  return Number.POSITIVE_INFINITY;
}

/** What a completed step resolves to, and what it changes on the complaint. */
function resolve(
  c: Complaint,
  step: ComplaintStep,
  form: Record<string, unknown>,
  settings: ComplaintSettings,
): { output: Record<string, unknown>; complaint: Complaint; customerVisible: boolean; escalate?: boolean } {
  switch (step.kind) {
    case 'supervisor_report': {
      const f = form as {
        investigate: Record<'sales' | 'quality' | 'production', boolean>;
        severity?: Complaint['severity'];
        cause?: Complaint['cause'];
      };
      return {
        output: { ...f.investigate },
        complaint: {
          ...c,
          ...(f.severity ? { severity: f.severity, special: c.special || f.severity === 'major' } : {}),
          ...(f.cause ? { cause: f.cause } : {}),
        },
        customerVisible: false,
      };
    }
    case 'quality_investigation':
    case 'analysis': {
      const cause = (form as { cause?: Complaint['cause'] }).cause;
      return { output: {}, complaint: cause ? { ...c, cause } : c, customerVisible: false };
    }
    case 'decision': {
      const amount = (form as { amount: number }).amount;
      // A major complaint is decided by a manager at least; any amount beyond the level's limit goes up.
      const escalate =
        amount > authorityOf(settings, step.level) || (c.severity === 'major' && step.level < 2);
      return {
        output: { outcome: escalate ? 'escalate' : 'approved' },
        complaint: c,
        customerVisible: false,
        escalate,
      };
    }
    case 'customer_answer': {
      const f = form as { method: 'written' | 'phone'; satisfied: boolean };
      if (c.writtenAnswerRequired && f.method !== 'written')
        throw new ValidationError([{ field: 'method', message: 'this complaint needs a written answer' }]);
      return { output: { satisfied: f.satisfied }, complaint: c, customerVisible: true };
    }
    case 'sales_verification':
    case 'production_investigation':
    case 'actions':
      return { output: {}, complaint: c, customerVisible: false };
  }
}

/**
 * Completes the waiting step of `kind` with its (already validated) form: checks who may, writes the
 * step, the complaint and the timeline entry with `Complaint Step Completed` in one transaction, removes
 * the step's deadline schedules and answers the waiting task. A decision above the approver's authority
 * is recorded as escalated and the next level's decision opens.
 */
export async function completeStep(
  deps: InvestigationDeps,
  actor: Actor,
  complaintId: string,
  kind: StepKind,
  form: Record<string, unknown>,
): Promise<ComplaintStep> {
  // Parallel investigations are completed at the same moment by different people: each writes the
  // complaint's next version (its timeline entry), so the loser of that race reloads and writes again.
  // Its own step is guarded apart: a step completed meanwhile is a real conflict, never retried.
  let mailed = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await completeOnce(deps, actor, complaintId, kind, form, () => {
        const first = !mailed;
        mailed = true;
        return first;
      });
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * attempt));
    }
  }
}

async function completeOnce(
  deps: InvestigationDeps,
  actor: Actor,
  complaintId: string,
  kind: StepKind,
  form: Record<string, unknown>,
  /** True the first time it is asked: the written answer is mailed once, whatever the attempts. */
  mailNow: () => boolean,
): Promise<ComplaintStep> {
  const c = await loadComplaint(deps, complaintId);
  const ofKind = (await deps.complaints.steps(complaintId))
    .filter((s) => s.kind === kind)
    .sort((a, b) => b.round - a.round || b.level - a.level);
  const waiting = ofKind.find((s) => s.status === 'waiting');
  if (!waiting) {
    // The same person sending the same form again: a retry of a completion whose task answer may have
    // failed after the step was written. Answer the task again; the workflow moves on at once.
    const retried = ofKind.find(
      (s) => s.status === 'done' && s.completedBy?.sub === actor.sub && isDeepStrictEqual(s.form, form),
    );
    if (retried) return answerAgain(deps, retried);
    throw new StateConflictError(`complaint ${complaintId} has no ${kind} step waiting`);
  }
  if (!mayComplete(actor, waiting))
    throw new ForbiddenError(`the ${kind} step of ${complaintId} is for the ${waiting.ownerRole}`);
  const settings = await deps.complaints.settings();
  const resolved = resolve(c, waiting, form, settings);
  // A written answer is mailed to the customer (a letter otherwise: recorded, posted by hand).
  if (kind === 'customer_answer' && form.method === 'written' && c.customer.email && mailNow()) {
    await deps.mailer.sendEmail({
      to: c.customer.email,
      subject: `Our answer to your complaint ${c.number}`,
      text: String(form.message),
    });
  }
  const calendar = await branchCalendar(deps, c.branchId);
  const now = deps.now();
  const at = now.toISOString();
  const by: ActorRef = actorRef(actor);
  const onTime = at <= waiting.dueAt;
  const done: ComplaintStep = {
    ...waiting,
    status: 'done',
    form,
    output: resolved.output,
    completedAt: at,
    completedBy: by,
    onTime,
    version: waiting.version + 1,
  };
  const unit = new UnitOfWork().add(
    put<never>(stepItem(done), {
      condition: 'version = :sv AND #s = :waiting',
      names: { '#s': 'status' },
      values: { ':sv': waiting.version, ':waiting': 'waiting' },
      onConflict: () =>
        new StateConflictError(`the ${kind} step of ${complaintId} changed meanwhile; reload`),
    }),
  );
  const after = resolved.complaint;
  complaintChange(unit, c, after, {
    at,
    actor: by,
    action: `step-${kind}`,
    details: {
      stepId: waiting.id,
      round: waiting.round,
      level: waiting.level,
      onTime,
      ...resolved.output,
      form,
    },
    customerVisible: resolved.customerVisible,
  }).emit(
    domainEvent('Complaint Step Completed', {
      ...refOf(c, at, by),
      stepId: waiting.id,
      step: kind,
      round: waiting.round,
      level: waiting.level,
      ownerRole: waiting.ownerRole,
      openedAt: waiting.openedAt,
      dueAt: waiting.dueAt,
      completedAt: at,
      onTime,
      allowedWorkingMinutes: waiting.workingMinutes,
      workingMinutes: Math.round(workingMinutesBetween(calendar, new Date(waiting.openedAt), now)),
      ...(after.cause ? { cause: after.cause } : {}),
      department: after.department,
    }),
  );
  if (resolved.escalate)
    unit.emit(
      domainEvent('Complaint Escalated', {
        ...refOf(c, at, by),
        reason: 'decision_above_authority',
        round: waiting.round,
        level: waiting.level + 1,
        recipients: [],
      }),
    );
  await deps.complaints.commit(unit);
  for (const name of waiting.timers) await deps.timers.cancel(name);
  if (waiting.taskToken) await deps.workflow.succeed(waiting.taskToken, resolved.output);
  return done;
}

/**
 * Re-sends the task answer of a step completed already (its schedules are removed again too). A token
 * answered before is stale: the workflow moved on then, and nothing is left to do.
 */
async function answerAgain(deps: InvestigationDeps, done: ComplaintStep): Promise<ComplaintStep> {
  for (const name of done.timers) await deps.timers.cancel(name);
  if (done.taskToken) {
    try {
      await deps.workflow.succeed(done.taskToken, done.output ?? {});
    } catch (err) {
      if (!(err instanceof StaleTaskTokenError)) throw err;
    }
  }
  return done;
}

// ---- deadlines ----

export type StepTimerOutcome = 'escalated' | 'duplicate' | 'stale' | 'not-running';

/**
 * One overdue rung of a step: reported upward to the rung's contacts of the branch (the SLA policy's
 * ladder and contacts), written once with its timeline entry and `Complaint Step Overdue`; a redelivered
 * firing finds the record and sends nothing again.
 */
export async function handleStepTimer(
  deps: InvestigationDeps,
  payload: Extract<TimerPayload, { kind: 'complaint-step' }>,
): Promise<StepTimerOutcome> {
  const step = await deps.complaints.getStep(payload.complaintId, payload.stepId);
  if (step?.status !== 'waiting') return 'not-running';
  if (!step.timers.includes(complaintStepTimerName(step.id, payload.rung, payload.fireAt))) return 'stale';
  const policy = (await deps.branchSettings.getSetting('policy', step.branchId)).value;
  const rung = policy.ladder.find((r) => r.id === payload.rung);
  if (!rung) return 'stale';
  const c = await loadComplaint(deps, step.complaintId);
  const recipients = await addressesOf(deps, policy.escalationContacts[rung.notify]);
  const at = deps.now().toISOString();
  const record: StepEscalation = {
    entity: 'ComplaintStepEscalation',
    schemaVersion: STEP_ESCALATION_SCHEMA_VERSION,
    complaintId: c.id,
    stepId: step.id,
    rung: rung.id,
    notify: rung.notify,
    recipients,
    at,
  };
  const unit = new UnitOfWork<'duplicate'>().add(
    insert({ ...complaintKeys.escalation(c.id, step.id, rung.id), ...record }, 'duplicate'),
  );
  complaintChange(unit, c, c, {
    at,
    actor: WORKFLOW_ACTOR,
    action: 'step-overdue',
    details: {
      stepId: step.id,
      step: step.kind,
      rung: rung.id,
      notify: rung.notify,
      dueAt: step.dueAt,
      recipients,
    },
    customerVisible: false,
  }).emit(
    domainEvent('Complaint Step Overdue', {
      ...refOf(c, at, WORKFLOW_ACTOR),
      stepId: step.id,
      step: step.kind,
      rung: rung.id,
      notify: rung.notify,
      dueAt: step.dueAt,
      recipients,
    }),
  );
  if ((await deps.complaints.commit(unit)) === 'duplicate') {
    const existing = await deps.complaints.getEscalation(c.id, step.id, rung.id);
    // Told already: a redelivery. Otherwise the mails of an earlier attempt failed: send them now.
    if (existing?.notifiedAt) return 'duplicate';
  }
  const calendar = await branchCalendar(deps, c.branchId);
  for (const to of recipients) {
    await deps.mailer.sendEmail({
      to,
      subject: `[Complaint step overdue] ${c.number}: ${step.kind.replaceAll('_', ' ')}`,
      text: [
        `The ${step.kind.replaceAll('_', ' ')} step of complaint ${c.number} (round ${step.round}) was due ${when(step.dueAt, calendar)} and is not done.`,
        `It is owned by the ${step.ownerRole}; reported to the ${rung.notify}.`,
        `Customer: ${c.customer.name}. Severity: ${c.severity}${c.special ? ' (special case)' : ''}.`,
      ].join('\n'),
    });
  }
  await deps.complaints.markNotified(c.id, step.id, rung.id, deps.now().toISOString());
  return 'escalated';
}
