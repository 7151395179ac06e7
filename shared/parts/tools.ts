/**
 * Loaner units and valuable tools (SPEC §4 loaners, §5; 000 六.4–6), each tracked by serial number with
 * its own append-only history: issued to a customer against a case (loaners) or to a technician (tools),
 * with an expected return date; returned; or lost, written off at its value. Overdue ones are listed
 * (one Query on the due-date index) and their holders reminded by the daily run. A loaner out against a
 * case counts on the case's loaner guard, which the case's close transaction checks is zero.
 */
import { domainEvent } from '../../events/registry.ts';
import type { Actor } from '../auth/actor.ts';
import { caseKeys } from '../cases/model.ts';
import { localDay } from '../cases/numbering.ts';
import { isOpen } from '../cases/status.ts';
import { NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import { check, insertOutbox, putVersioned, UnitOfWork, type Write } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import type { PartsJobDeps } from './alerts.ts';
import { loanerGuardChange } from './case-guard.ts';
import {
  partsItems,
  partsKeys,
  type Tool,
  type ToolHistoryEntry,
  toolInputSchema,
  toolIssueSchema,
  toolLostSchema,
  toolReturnSchema,
} from './model.ts';
import type { ActorRef } from './movements.ts';
import { actsAsTechnician, type PartsDeps, refOf } from './service.ts';

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T) => rest;

export async function getTool(deps: PartsDeps, serial: string) {
  const { tool, history } = await deps.store.getTool(serial);
  if (!tool) throw new NotFoundError(`no tool or loaner ${serial}`);
  return {
    ...strip(tool),
    history: history.map(({ entity: _e, schemaVersion: _v, outbox: _o, outboxSize: _s, ...h }) => h),
  };
}

/** One change of a tool: the tool under its version, its history entry (carrying the event), and `extra`. */
async function change(
  deps: PartsDeps,
  previous: Tool | undefined,
  next: Tool,
  action: ToolHistoryEntry['action'],
  by: ActorRef,
  details: Record<string, unknown>,
  extra: Write[] = [],
  writeOff?: number,
) {
  const at = next.updatedAt;
  const entry: Omit<ToolHistoryEntry, 'entity' | 'schemaVersion'> = {
    serial: next.serial,
    seq: next.historySeq,
    action,
    ...(writeOff !== undefined ? { writeOff } : {}),
    details,
    at,
    actor: by,
  };
  const unit = new UnitOfWork(
    () => new StateConflictError(`${next.kind} ${next.serial} changed meanwhile; reload and retry`),
  )
    .add(
      putVersioned(partsItems.tool(strip(next)), previous?.version),
      insertOutbox(partsItems.toolHistory(entry)),
      ...extra,
    )
    .emit(
      domainEvent('Tool Moved', {
        serial: next.serial,
        kind: next.kind,
        action,
        ...(next.holder?.caseId ? { caseId: next.holder.caseId } : {}),
        ...(next.holder?.technicianId ? { technicianId: next.holder.technicianId } : {}),
        ...(writeOff !== undefined ? { writeOff } : {}),
        at,
        actor: by,
      }),
    );
  await deps.store.commit(unit);
  return getTool(deps, next.serial);
}

/** Registers a loaner or tool under its serial number, at its home location. */
export async function registerTool(deps: PartsDeps, actor: Actor, serial: string, raw: unknown) {
  const input = parseInput(toolInputSchema, raw);
  if (!(await deps.store.getLocation(input.homeLocationId)))
    throw new ValidationError([
      { field: 'homeLocationId', message: `no stock location ${input.homeLocationId}` },
    ]);
  if ((await deps.store.getTool(serial)).tool)
    throw new StateConflictError(`${serial} is registered already`);
  const at = deps.now().toISOString();
  const tool: Tool = {
    entity: 'Tool',
    schemaVersion: 1,
    serial,
    ...input,
    status: 'in',
    historySeq: 1,
    createdAt: at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: 1,
  };
  return change(deps, undefined, tool, 'registered', refOf(actor), { homeLocationId: input.homeLocationId });
}

/**
 * Issues a loaner to a customer against their open case, or a tool to a technician. A loaner issue is
 * refused once the case is closed (checked in the same transaction that counts it on the case).
 */
export async function issueTool(deps: PartsDeps, actor: Actor, serial: string, raw: unknown) {
  const input = parseInput(toolIssueSchema, raw);
  const { tool } = await deps.store.getTool(serial);
  if (!tool) throw new NotFoundError(`no tool or loaner ${serial}`);
  if (tool.kind === 'loaner' && !input.caseId)
    throw new ValidationError([
      { field: 'caseId', message: 'a loaner goes to a customer against their case' },
    ]);
  if (tool.kind === 'tool' && !input.technicianId)
    throw new ValidationError([{ field: 'technicianId', message: 'a tool goes to a technician' }]);
  if (input.caseId && input.technicianId)
    throw new ValidationError([
      { field: 'technicianId', message: 'either a case (loaner) or a technician (tool)' },
    ]);
  if (tool.status !== 'in') throw new StateConflictError(`${serial} is ${tool.status}, not in stock`);
  const at = deps.now().toISOString();
  const extra: Write[] = [];
  let holder: NonNullable<Tool['holder']>;
  if (input.caseId) {
    const c = await deps.cases.get(input.caseId);
    if (!c || (actsAsTechnician(actor) && c.technicianId !== actor.sub))
      throw new NotFoundError(`no case ${input.caseId}`, { field: 'caseId' });
    if (!isOpen(c.status)) throw new StateConflictError(`case ${c.id} is ${c.status}`, { field: 'caseId' });
    holder = {
      caseId: c.id,
      customerId: c.customer.id,
      ...(c.customer.email ? { email: c.customer.email } : {}),
    };
    extra.push(
      loanerGuardChange(c.id, 1),
      check<never>(caseKeys.item(c.id), '#status <> :closed AND #status <> :cancelled', {
        names: { '#status': 'status' },
        values: { ':closed': 'closed', ':cancelled': 'cancelled' },
        onConflict: () => new StateConflictError(`case ${c.id} was closed meanwhile`, { field: 'caseId' }),
      }),
    );
  } else {
    const person = await deps.directory.getStaff(input.technicianId as string);
    if (!person?.roles.includes('technician'))
      throw new ValidationError([{ field: 'technicianId', message: `no technician ${input.technicianId}` }]);
    holder = { technicianId: person.id, ...(person.email ? { email: person.email } : {}) };
  }
  const next: Tool = {
    ...tool,
    status: 'out',
    holder,
    expectedReturn: input.expectedReturn,
    issuedAt: at,
    historySeq: tool.historySeq + 1,
    updatedAt: at,
    updatedBy: actor.sub,
    version: tool.version + 1,
  };
  delete next.remindedOn;
  return change(
    deps,
    tool,
    next,
    'issued',
    refOf(actor),
    { ...holder, expectedReturn: input.expectedReturn },
    extra,
  );
}

/** A loaner or tool comes back; a loaner no longer holds its case open. */
export async function returnTool(deps: PartsDeps, actor: Actor, serial: string, raw: unknown) {
  const input = parseInput(toolReturnSchema, raw);
  const { tool } = await deps.store.getTool(serial);
  if (!tool) throw new NotFoundError(`no tool or loaner ${serial}`);
  if (tool.status !== 'out') throw new StateConflictError(`${serial} is ${tool.status}, not out`);
  const at = deps.now().toISOString();
  const { holder: _h, expectedReturn: _e, issuedAt: _i, remindedOn: _r, ...rest } = tool;
  const next: Tool = {
    ...rest,
    status: 'in',
    historySeq: tool.historySeq + 1,
    updatedAt: at,
    updatedBy: actor.sub,
    version: tool.version + 1,
  };
  const extra = tool.holder?.caseId ? [loanerGuardChange(tool.holder.caseId, -1)] : [];
  return change(
    deps,
    tool,
    next,
    'returned',
    refOf(actor),
    { from: tool.holder ?? {}, ...(input.condition ? { condition: input.condition } : {}) },
    extra,
  );
}

/** A loaner or tool is lost: written off at its value (its history keeps who held it). */
export async function loseTool(deps: PartsDeps, actor: Actor, serial: string, raw: unknown) {
  const input = parseInput(toolLostSchema, raw);
  const { tool } = await deps.store.getTool(serial);
  if (!tool) throw new NotFoundError(`no tool or loaner ${serial}`);
  if (tool.status === 'lost') throw new StateConflictError(`${serial} is already written off`);
  const at = deps.now().toISOString();
  const next: Tool = {
    ...tool,
    status: 'lost',
    historySeq: tool.historySeq + 1,
    updatedAt: at,
    updatedBy: actor.sub,
    version: tool.version + 1,
  };
  const extra =
    tool.status === 'out' && tool.holder?.caseId ? [loanerGuardChange(tool.holder.caseId, -1)] : [];
  return change(
    deps,
    tool,
    next,
    'lost',
    refOf(actor),
    { reason: input.reason, holder: tool.holder ?? {} },
    extra,
    tool.value,
  );
}

/** Loaners and tools out past their expected return date (today in `timeZone`). */
export async function listOverdue(deps: PartsDeps, timeZone: string) {
  const today = localDay(deps.now(), timeZone);
  const items = await deps.store.overdueTools(today);
  return { today, items: items.map(strip) };
}

/** The daily reminder: each holder of an overdue loaner or tool gets one e-mail a day. */
export async function remindOverdue(deps: PartsJobDeps, timeZone: string) {
  const { today, items } = await listOverdue(deps, timeZone);
  const reminded: string[] = [];
  for (const t of items) {
    if (t.remindedOn === today || !t.holder?.email) continue;
    await deps.mailer.sendEmail({
      to: t.holder.email,
      subject: `Please return ${t.kind === 'loaner' ? 'the loaner unit' : 'the tool'} ${t.name} (${t.serial})`,
      text: [
        `${t.name} (${t.serial}) was due back on ${t.expectedReturn}.`,
        ...(t.holder.caseId ? [`It was lent with service case ${t.holder.caseId}.`] : []),
        'Please bring it back or call us to arrange a pickup.',
        '',
        'Aftercare service',
      ].join('\n'),
    });
    await deps.store.touch(partsKeys.tool(t.serial), { remindedOn: today });
    reminded.push(t.serial);
  }
  return { today, reminded };
}
