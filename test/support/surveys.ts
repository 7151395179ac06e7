/**
 * Survey test helpers: drive a case to completed at a given instant, run the morning run, read the
 * local outbox, answer the survey page as a browser would, and deliver e-mail replies to the inbox.
 */
import type { OutboxMessage } from '../../infra/local/outbox.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import type { DispatchReport } from '../../shared/surveys/service.ts';
import { customer, phoneFor, staffMember } from './directory.ts';
import { intake, type TestSystem } from './system.ts';

export interface CompletedCaseOptions {
  at: Date;
  customer: { id: string; name: string; email?: string; language?: 'zh-CN' | 'en'; surveyConsent?: boolean };
  branchId?: string;
  technicianId: string;
  /** The technician's name in the directory (default `Technician <id>`). */
  technicianName?: string;
  internal?: boolean;
}

/** Agent registers, dispatcher assigns, technician repairs on site; the case completes at `at`. */
export async function completedCase(
  sys: TestSystem,
  o: CompletedCaseOptions,
): Promise<{ id: string; number: string }> {
  clockControl.freeze(o.at);
  await customer(sys, o.customer.id, {
    name: o.customer.name,
    ...(o.customer.email ? { email: o.customer.email } : {}),
    ...(o.customer.language ? { language: o.customer.language } : {}),
    ...(o.customer.surveyConsent !== undefined ? { surveyConsent: o.customer.surveyConsent } : {}),
  });
  // The technician works for the case's branch when it is assigned.
  await staffMember(sys, o.technicianId, {
    branchId: o.branchId ?? 'main',
    ...(o.technicianName ? { name: o.technicianName } : {}),
  });
  const agent = await sys.as('agent');
  const dispatcher = await sys.as('dispatcher');
  const tech = await sys.as('technician', o.technicianId);
  const base = intake().customer as Record<string, unknown>;
  const { email: _drop, ...withoutEmail } = base;
  const { surveyConsent: _directoryOnly, ...said } = o.customer;
  const caller = { ...withoutEmail, phone: phoneFor(o.customer.id), ...said };
  const opened = await agent.post(
    '/cases',
    intake({
      customer: caller,
      ...(o.branchId ? { branchId: o.branchId } : {}),
      ...(o.internal ? { internal: true } : {}),
    }),
  );
  if (opened.status !== 201)
    throw new Error(`intake failed: ${opened.status} ${JSON.stringify(opened.body)}`);
  const id: string = opened.body.id;
  const steps: Array<[typeof dispatcher, string, unknown]> = [
    [dispatcher, 'assign', { technicianId: o.technicianId }],
    [tech, 'depart', {}],
    [tech, 'arrive', { idShown: true, faultConfirmed: true }],
    [tech, 'diagnose', { plan: 'on_site', findings: 'Blown fuse' }],
    [tech, 'record-work', { description: 'Replaced fuse', minutes: 30 }],
    [tech, 'sign-off', { customerName: o.customer.name }],
  ];
  for (const [caller, command, body] of steps) {
    const res = await caller.post(`/cases/${id}/${command}`, body);
    if (res.status !== 200) throw new Error(`${command} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { id, number: opened.body.number ?? id };
}

/** The morning run through its local trigger, at the frozen clock's time. */
export async function runMorningRun(sys: TestSystem): Promise<DispatchReport> {
  const res = await fetch(`${sys.url}/_local/run/survey-dispatch`, { method: 'POST' });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`morning run failed: ${JSON.stringify(body)}`);
  return body as DispatchReport;
}

/** A message of the local SES outbox, as `/_local/outbox.json` lists it. */
export type OutboxItem = OutboxMessage;

export async function readOutbox(sys: TestSystem): Promise<OutboxItem[]> {
  const res = await fetch(`${sys.url}/_local/outbox.json`);
  return ((await res.json()) as { items: OutboxItem[] }).items;
}

/** The survey link of the newest card sent to `email`. */
export async function surveyLinkFor(sys: TestSystem, email: string): Promise<{ url: string; token: string }> {
  const message = (await readOutbox(sys)).find((m) => m.to.includes(email));
  const url = message?.links.find((l) => /\/survey\/[^?]+$/.test(l));
  if (!url) throw new Error(`no survey link mailed to ${email}`);
  return { url, token: url.split('/survey/')[1] ?? '' };
}

export interface PageResponse {
  status: number;
  html: string;
  headers: Headers;
}

export async function getPage(url: string): Promise<PageResponse> {
  const res = await fetch(url);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** Posts the survey form as a browser does (`application/x-www-form-urlencoded`). */
export async function postForm(url: string, fields: Record<string, string>): Promise<PageResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** Delivers a raw reply to the local inbox; answers with the inbound handler's outcome. */
export async function deliverReply(
  sys: TestSystem,
  raw: string | Buffer,
): Promise<{ outcome: string; reason?: string }> {
  const res = await fetch(`${sys.url}/_local/inbox`, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'message/rfc822' },
  });
  const body = (await res.json()) as { result: Array<{ outcome: string; reason?: string }> };
  const outcome = body.result?.[0];
  if (!outcome) throw new Error(`inbox failed: ${JSON.stringify(body)}`);
  return outcome;
}

/** An instant given as local time in Asia/Shanghai (the test system's branch zone). */
export function shanghai(local: string): Date {
  return new Date(`${local}+08:00`);
}
