/** Wiring of the warranty functions: stores, the branch clock, timers and the mailer, built once per environment. */
import type { Actor } from '../../shared/auth/actor.ts';
import { openCase } from '../../shared/cases/service.ts';
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import { readCaseParts } from '../../shared/parts/case-parts.ts';
import { DynamoPartsStore } from '../../shared/parts/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { DynamoSlaStore } from '../../shared/sla/store.ts';
import {
  EventBridgeSchedulerTimers,
  type SlaTimerEnv,
  schedulerClient,
  slaTimers,
} from '../../shared/sla/timers.ts';
import { documentClient } from '../../shared/store/client.ts';
import type { RenewalRunDeps } from '../../shared/warranty/contracts.ts';
import type { CourtesyDeps } from '../../shared/warranty/courtesy.ts';
import type { BranchClock, ReturnDeps, ReturnTimerDeps } from '../../shared/warranty/returns.ts';
import { partsLedgerForReturns } from '../../shared/warranty/returns-ledger.ts';
import type { BillingDeps, CasePartsSource } from '../../shared/warranty/service.ts';
import { DynamoWarrantyStore } from '../../shared/warranty/store.ts';
import { caseDeps } from '../cases/deps.ts';

type TableEnv = { TABLE_NAME: string; TIME_ZONE: string };

const base = (env: TableEnv) => ({
  store: new DynamoWarrantyStore(documentClient(), env.TABLE_NAME),
  directory: new DynamoDirectoryStore(documentClient(), env.TABLE_NAME),
  now,
  timeZone: env.TIME_ZONE,
});

/** The branch's working calendar and escalation contacts, as the SLA settings keep them. */
const branchClock = (env: TableEnv): BranchClock => {
  const sla = new DynamoSlaStore(documentClient(), env.TABLE_NAME);
  return {
    calendar: async (branchId) => (await sla.getSetting('calendar', branchId)).value,
    policy: async (branchId) => (await sla.getSetting('policy', branchId)).value,
  };
};

/** The parts consumed on a case, net of returns, at the unit cost the parts ledger recorded. */
const partsSource = (env: TableEnv): CasePartsSource => ({
  partsConsumed: async (caseId) =>
    (await readCaseParts(documentClient(), env.TABLE_NAME, caseId)).map((l) => ({
      partNumber: l.partNumber,
      name: l.name,
      quantity: l.quantity,
      unitCost: l.unitCost,
    })),
});

type ApiEnv = TableEnv & SlaTimerEnv;

let api: (BillingDeps & ReturnDeps) | undefined;
export function warrantyApiDeps(env: ApiEnv): BillingDeps & ReturnDeps {
  api ??= {
    ...base(env),
    cases: new DynamoCaseStore(documentClient(), env.TABLE_NAME, env.TIME_ZONE),
    parts: partsSource(env),
    branches: branchClock(env),
    timers: slaTimers(env, now),
    ledger: partsLedgerForReturns(new DynamoPartsStore(documentClient(), env.TABLE_NAME), now),
  };
  return api;
}

type MailEnv = TableEnv & { MAIL_FROM: string; SES_CONFIGURATION_SET: string };

/** Who opens a contract's maintenance visits: the renewal run, on the agent's terms (any customer). */
const VISIT_OPENER: Actor = { sub: 'contract-visits', roles: ['agent'], name: 'Contract maintenance plan' };

let jobs: RenewalRunDeps | undefined;
export function renewalRunDeps(env: MailEnv): RenewalRunDeps {
  const cases = caseDeps(env);
  const clock = branchClock(env);
  jobs ??= {
    ...base(env),
    mailer: new SesMailer(sesClient, { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
    calendar: clock.calendar,
    openVisit: async (input, key) => {
      const { case: c } = await openCase(cases, VISIT_OPENER, input, key, { scheduled: true });
      return { id: c.id };
    },
  };
  return jobs;
}

let courtesy: CourtesyDeps | undefined;
export function courtesyDeps(env: TableEnv): CourtesyDeps {
  const cases = new DynamoCaseStore(documentClient(), env.TABLE_NAME, env.TIME_ZONE);
  courtesy ??= {
    ...base(env),
    // The branch that served the customer last: their newest case.
    branchOf: async (customerId) => (await cases.listByCustomer(customerId, { limit: 1 })).items[0]?.branchId,
  };
  return courtesy;
}

let timer: ReturnTimerDeps | undefined;
/** The SLA timer function answers the returns' deadline timers too (one timer group, one target). */
export function returnTimerDeps(env: MailEnv & { SLA_SCHEDULE_GROUP: string }): ReturnTimerDeps {
  timer ??= {
    ...base(env),
    branches: branchClock(env),
    timers: new EventBridgeSchedulerTimers(schedulerClient(), { group: env.SLA_SCHEDULE_GROUP }, now),
    mailer: new SesMailer(sesClient, { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
  };
  return timer;
}
