/**
 * The working-day lists, computed from a case and its milestones (pure): what the dispatch board and a
 * technician's day show of a case, which technicians have it on which days, and whether it is on
 * someone's open load. The SLA clock writes these onto index items whenever a case changes, so each
 * list is one Query.
 */
import type { Case } from '../cases/model.ts';
import { localDay } from '../cases/numbering.ts';
import { isOpen } from '../cases/status.ts';
import type { Milestone } from './milestones.ts';
import type { JobCard } from './model.ts';

/** Due times of the milestones still to be met, by kind. */
export function dueTimes(milestones: readonly Milestone[]): Record<string, string> {
  const due: Record<string, string> = {};
  for (const m of milestones)
    if (m.dueAt && (m.status === 'running' || m.status === 'paused')) due[m.kind] = m.dueAt;
  return due;
}

/** What the lists show of a case: customer, symptoms, product, due times. */
export function cardFields(c: Case, milestones: readonly Milestone[]) {
  return {
    customer: {
      id: c.customer.id,
      name: c.customer.name,
      address: c.customer.address,
      phone: c.customer.phone,
    },
    symptoms: c.symptoms,
    product: {
      model: c.product.model,
      serialNumber: c.product.serialNumber,
      ...(c.product.productLine ? { productLine: c.product.productLine } : {}),
    },
    due: dueTimes(milestones),
  };
}

/** The case as one technician's list shows it. */
export function jobCard(c: Case, milestones: readonly Milestone[], technicianId: string): JobCard {
  return {
    ...cardFields(c, milestones),
    caseId: c.id,
    number: c.number,
    branchId: c.branchId,
    status: c.status,
    zone: c.zone,
    emergency: c.emergency,
    createdAt: c.createdAt,
    technicianId,
    ...(technicianId === c.technicianId && c.technicianName ? { technicianName: c.technicianName } : {}),
    ...(c.appointment ? { appointment: c.appointment } : {}),
    ...(c.completedAt ? { completedAt: c.completedAt } : {}),
  };
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** `HH:MM` of `at` in `timeZone`. */
function localTime(at: string, timeZone: string): string {
  let f = timeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormats.set(timeZone, f);
  }
  return f.format(new Date(at));
}

export interface JobDay {
  technicianId: string;
  day: string;
  /** Sort time within the day: the arrival window's start, else the first work done that day. */
  order: string;
}

/**
 * The technicians' days this case belongs to: the current technician's planned visit day (the
 * appointment, or the day of the assignment), and every day someone departed, arrived, worked, finished
 * or completed it — so completed work stays on the day it was done.
 */
export function jobDays(c: Case, timeZone: string): JobDay[] {
  const days = new Map<string, JobDay>();
  const add = (technicianId: string, at: string | undefined, order?: string, day?: string) => {
    if (!at && !day) return;
    const d = day ?? localDay(new Date(at as string), timeZone);
    const o = order ?? (at ? localTime(at, timeZone) : '99:99');
    const k = `${technicianId}#${d}`;
    const seen = days.get(k);
    if (!seen) days.set(k, { technicianId, day: d, order: o });
    else if (o < seen.order) seen.order = o;
  };
  if (c.technicianId && isOpen(c.status)) {
    const last = c.assignments.at(-1);
    const day = c.appointment?.day ?? (last ? localDay(new Date(last.at), timeZone) : undefined);
    if (day) add(c.technicianId, undefined, c.appointment?.from ?? '99:99', day);
  }
  for (const v of c.visits) for (const at of [v.departedAt, v.arrivedAt, v.endedAt]) add(v.technicianId, at);
  for (const r of c.workshop?.repairCard ?? []) add(r.by, r.at);
  if (c.remoteGuidance && c.technicianId) add(c.technicianId, c.remoteGuidance.at);
  if (c.completedAt && c.technicianId) add(c.technicianId, c.completedAt);
  // A planned day keeps its window as its order even when work on it started earlier or later.
  if (c.technicianId && c.appointment?.from) {
    const planned = days.get(`${c.technicianId}#${c.appointment.day}`);
    if (planned) planned.order = c.appointment.from;
  }
  return [...days.values()];
}
