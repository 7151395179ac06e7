/**
 * Who may call what, written down from SPEC §2 (not read from the catalogue): for every route and
 * every role, the exact status a call gets with the fixture below. 403 = the role may not do this at
 * all; 200/201 = it may, on a case it owns (customers), is assigned to (technicians) or may see (staff).
 * Ownership hiding (404) has its own table at the end.
 *
 * How the rows were decided:
 * - customer: opens requests for themselves, sees only their own cases (the four visible statuses and
 *   the customer-visible timeline, not the internal one), cancels their own request, accepts a quote;
 *   registers and edits their own directory record and units; answers surveys (public pages).
 * - agent (reception, 业务员): registers requests for any customer, sees all cases, keeps the goods
 *   in/out register (000 (十一)), acts for the customer on the phone (cancel, corrections, quotes,
 *   holds, remote guidance, carry-in receipts), surveys by phone and takes complaints.
 * - dispatcher (supervisor, 主任): is sent registered requests to dispatch (000 (八)) rather than
 *   registering them; assigns, triages, inspects workshop repairs, closes; handles complaints in person.
 * - technician: only their assignments; arrival, work, time, parts, sign-off, workshop bench.
 * - parts clerk: parts work only — no case reads, no case actions.
 * - manager: everything the roles above may, plus settings and reports; keeps branches and staff.
 * - ops: read-only dashboards and reports — the report routes, nothing case-by-case.
 * - the directory (§12): every staff role reads it (ops read only); reception, managers and the
 *   customer themselves register and edit customers and units; only managers keep branches and staff.
 * - the working day: dispatchers and managers read the dispatch board; a technician reads their own
 *   day, dispatchers and managers anyone's.
 * - knowledge (§9, §3 triage): customers read published public entries (self-service before a request);
 *   agents, dispatchers and technicians read every published entry (remote guidance, diagnosis), and
 *   all of them rate entries and walk the wizard. Entries are written by service supervisors
 *   (dispatchers: they decide repair plans and inspect repairs, the source of the know-how) and
 *   managers; agents take calls and technicians repair, so neither publishes to customers. Parts clerks
 *   have no troubleshooting to do. Ops read the knowledge measures only, as managers do (reports).
 * - parts (§2, §5): the parts clerk keeps the catalogue, locations and levels, receives, transfers,
 *   scraps, reverses, counts, issues requisitions and registers loaners and tools; technicians requisition,
 *   reserve and consume on their own case from their own van, return parts, take and bring back tools,
 *   and read stock, their van's ledger and their own requisitions; supervisors (dispatchers) decide
 *   requisitions and approve counts and read stock, ledger and the desk's lists; managers do all of it,
 *   approve purchases and override ABC classes; ops read the parts desk; reception reads only the
 *   catalogue (to quote parts); customers nothing.
 * - warranty, contracts and returns (§6, §6a): published terms and return rules are read by everyone who
 *   deals with customers or takes returns in (not ops); only managers set terms, promotions and rules. A
 *   unit's warranty and a case's bill are read like the case (customer: own; technician: assigned; no
 *   parts clerks or ops); the invoice is issued by whoever charges (technician, agent, manager).
 *   Contracts are the customer's own to read; reception and managers record, change, renew and cancel
 *   them; renewal follow-ups are service staff's. The customer or an agent applies for a return (and a
 *   manager); supervisors (dispatchers) and managers answer; service staff record the shipping; the parts
 *   clerk (and a manager) takes the unit in; every service role and the parts clerk reads returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../functions/catalog.ts';
import { courtesyDeps } from '../../functions/warranty/deps.ts';
import { type Role, roles } from '../../shared/auth/actor.ts';
import { buildCourtesyCalls } from '../../shared/warranty/courtesy.ts';
import { phoneFor, customer as registered, technicians, unit } from '../support/directory.ts';
import { type Caller, intake, startTestSystem, type TestSystem } from '../support/system.ts';

type Row = Readonly<Record<Role, number>>;

/** A role-by-role row, in the order of SPEC §2: customer, agent, dispatcher, technician, parts clerk, manager, ops. */
function row(
  customer: number,
  agent: number,
  dispatcher: number,
  technician: number,
  parts_clerk: number,
  manager: number,
  ops: number,
): Row {
  return { customer, agent, dispatcher, technician, parts_clerk, manager, ops };
}

/** What a case must have gone through before the call (see `caseAt`). */
type Stage =
  | 'received'
  | 'assigned'
  | 'on_site'
  | 'worked'
  | 'awaiting_customer'
  | 'in_workshop'
  | 'repaired'
  | 'inspected'
  | 'completed'
  | 'paid'
  | 'paid_quoted'
  | 'paid_accepted'
  | 'paid_worked';

interface Expectation {
  expected: Row;
  /** The body, or the body each role sends (writes that must not collide). */
  body?: unknown | ((role: Role) => unknown);
  /** Case routes: the state of the caller's case. */
  stage?: Stage;
  /** The path called (default: the route's, with the fixture's ids), or the one each role calls. */
  path?: string | ((role: Role) => string);
  /** A caller of its own for a role (e.g. a customer not yet in the directory). */
  sub?: Partial<Record<Role, string>>;
  /**
   * Complaint routes: called on a complaint of the matrix customer. A step or publish call the role may
   * make is made by a complaint lane (see `lanes`) when the workflow has opened that step.
   */
  complaint?: 'read' | 'step';
}

const MONTH = '2026-12';
const CUSTOMER = 'cust-matrix';
const TECHNICIAN = 'tech-matrix';
const paidLines = { lines: [{ description: 'Labour', amount: 80 }] };
/** Digits of a role, for phone numbers and serials that must not collide between cells. */
const nth = (role: Role) => String(roles.indexOf(role) + 1);
const customerInput = (phone: string) => ({
  name: 'Wang Fang',
  addresses: [{ address: '18 Jiefang Road, Hangzhou', zone: 'urban' }],
  phones: [phone],
});
/** Records the writing cells change: each role its own (concurrent writes on one would race). */
const ownRecord = (role: Role) => (role === 'customer' ? CUSTOMER : `${CUSTOMER}-${role}`);
const ownUnit = (role: Role) => `SN-MATRIX-${nth(role)}`;
/** The published public entry the knowledge reads call on; authors change entries of their own. */
const KB_PUBLIC = 'RM-PUB';
const kbEntry = (code: string) => ({
  code,
  productLines: ['air-conditioner'],
  title: 'Rattling noise from the indoor unit',
  symptoms: ['rattling noise'],
  cause: 'Loose front panel.',
  steps: [{ text: 'Press the panel until it clicks.' }],
  audience: 'public',
  language: 'en',
  status: 'published',
  wizard: {
    start: 'panel',
    nodes: [
      {
        id: 'panel',
        question: 'Does the noise stop when you press the panel?',
        answers: [
          { id: 'yes', label: 'Yes', advice: 'Re-seat the panel.' },
          { id: 'no', label: 'No', advice: 'Request a visit.' },
        ],
      },
    ],
  },
});
/** The investigation each role makes in its lane: reception sales, the supervisor quality, a manager production. */
const areaOf = (role: Role) =>
  role === 'dispatcher' ? 'quality' : role === 'manager' ? 'production' : 'sales';
const investigationBy = {
  sales: { findings: 'Order matches', orderNumber: 'PO-1', quantity: 1 },
  quality: { findings: 'Cracked fitting', cause: 'quality' },
  production: { findings: 'Made on shift B', shift: 'B', productionDate: '2026-10-02' },
} as const;
/** Parts fixtures: a warehouse (and one per role for levels and transfers), tech-matrix's van, a part. */
const PART = 'PM-1';
const WAREHOUSE = 'wh-matrix';
const VAN = 'van-matrix';
const partInput = {
  name: 'Fan motor',
  productLines: ['air-conditioner'],
  unit: 'piece',
  unitCost: 50,
  suppliers: [{ id: 'sup-1', name: 'Parts Co.', grade: 'A', leadTimeDays: 3 }],
};
/** Made in `beforeAll`: the case parts are consumed on, and a purchase suggestion to decide. */
const partsFixture = { caseId: '', suggestionId: '' };

const warrantyTerms = {
  default: { parts: { months: 12 }, labour: { months: 6 } },
  classes: [{ componentClass: 'compressor', parts: { months: 60 }, labour: { months: 12 } }],
};
const contractBody = (serial: string) => ({
  customerId: CUSTOMER,
  units: [serial],
  start: '2026-01-01',
  end: '2027-01-01',
  inclusions: { labour: true, parts: true },
  price: 800,
  servicePersonId: TECHNICIAN,
});
type PerRole = Record<Role, string>;
/** The month of the courtesy call list built for the matrix's units (bought 2026-06-01, in warranty). */
const courtesyMonth = '2026-12';
/** Contracts and returns the cells act on, each role its own where a call changes it (set up below). */
const fixtures = {
  contract: '',
  contracts: { change: {} as PerRole, renew: {} as PerRole, cancel: {} as PerRole },
  return: '',
  returns: { decide: {} as PerRole, ship: {} as PerRole, receive: {} as PerRole },
};

/** SPEC §2, route by route. */
const expectations: Record<string, Expectation> = {
  'GET /openapi.json': { expected: row(200, 200, 200, 200, 200, 200, 200) },
  'GET /health': { expected: row(200, 200, 200, 200, 200, 200, 200) },
  'POST /cases': { expected: row(201, 201, 403, 403, 403, 201, 403) },
  'GET /cases': { expected: row(200, 200, 200, 200, 403, 200, 403) },
  'GET /cases/{id}': { expected: row(200, 200, 200, 200, 403, 200, 403), stage: 'assigned' },
  'GET /cases/{id}/timeline': { expected: row(200, 200, 200, 200, 403, 200, 403), stage: 'assigned' },
  'GET /register/{month}': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'GET /cases/{id}/sla': { expected: row(403, 200, 200, 403, 403, 200, 403), stage: 'assigned' },
  'GET /dispatch/queue': { expected: row(403, 403, 200, 403, 403, 200, 403) },
  'GET /dispatch/board': { expected: row(403, 403, 200, 403, 403, 200, 403) },
  'GET /technicians/{id}/day': {
    expected: row(403, 403, 200, 200, 403, 200, 403),
    path: '/technicians/me/day',
  },

  'GET /directory/branches': { expected: row(403, 200, 200, 200, 200, 200, 200) },
  'GET /directory/branches/{id}': { expected: row(403, 200, 200, 200, 200, 200, 200) },
  'POST /directory/branches/{id}': {
    expected: row(403, 403, 403, 403, 403, 200, 403),
    path: '/directory/branches/matrix-branch',
    body: { name: 'Matrix outlet', timezone: 'Asia/Shanghai', zones: [{ name: 'City', kind: 'urban' }] },
  },
  'GET /directory/staff': { expected: row(403, 200, 200, 200, 200, 200, 200) },
  'GET /directory/staff/{id}': {
    expected: row(403, 200, 200, 200, 200, 200, 200),
    path: `/directory/staff/${TECHNICIAN}`,
  },
  'POST /directory/staff/{id}': {
    expected: row(403, 403, 403, 403, 403, 200, 403),
    path: '/directory/staff/tech-matrix-new',
    body: { name: 'Zhou Ning', branchId: 'main', roles: ['technician'], skills: ['air-conditioner'] },
  },
  // Parts clerks and ops read no customer contact details (records, lookups, units).
  'GET /directory/customers': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    path: `/directory/customers?name=wang`,
  },
  'POST /directory/customers': {
    expected: row(201, 201, 403, 403, 403, 201, 403),
    body: (role: Role) => customerInput(`+86 135 7000 000${nth(role)}`),
    sub: { customer: 'cust-matrix-self' },
  },
  'GET /directory/customers/{id}': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/directory/customers/${CUSTOMER}`,
  },
  'POST /directory/customers/{id}': {
    expected: row(200, 200, 403, 403, 403, 200, 403),
    path: (role: Role) => `/directory/customers/${ownRecord(role)}`,
    body: (role: Role) => customerInput(phoneFor(ownRecord(role))),
  },
  'GET /directory/customers/{id}/units': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/directory/customers/${CUSTOMER}/units`,
  },
  'POST /directory/units': {
    expected: row(201, 201, 403, 403, 403, 201, 403),
    body: (role: Role) => ({
      serialNumber: `SN-MATRIX-NEW-${nth(role)}`,
      model: 'AC-3200',
      productLine: 'air-conditioner',
      ownerId: CUSTOMER,
    }),
  },
  'GET /directory/units/{id}': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/directory/units/${ownUnit('customer')}`,
  },
  'POST /directory/units/{id}': {
    expected: row(200, 200, 403, 403, 403, 200, 403),
    path: (role: Role) => `/directory/units/${ownUnit(role)}`,
    body: { model: 'AC-3200 (new panel)', productLine: 'air-conditioner', ownerId: CUSTOMER },
  },
  'GET /sla/branches/{id}/calendar': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'POST /sla/branches/{id}/calendar': { expected: row(403, 403, 403, 403, 403, 200, 403), body: {} },
  'GET /sla/branches/{id}/policy': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'POST /sla/branches/{id}/policy': { expected: row(403, 403, 403, 403, 403, 200, 403), body: {} },
  'GET /sla/measures': { expected: row(403, 403, 403, 403, 403, 200, 200) },

  'POST /cases/{id}/assign': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    stage: 'received',
    body: { technicianId: 'tech-other' },
  },
  'POST /cases/{id}/depart': {
    expected: row(403, 403, 403, 200, 403, 200, 403),
    stage: 'assigned',
    body: {},
  },
  'POST /cases/{id}/arrive': {
    expected: row(403, 403, 403, 200, 403, 200, 403),
    stage: 'assigned',
    body: { idShown: true, faultConfirmed: true },
  },
  'POST /cases/{id}/diagnose': {
    expected: row(403, 403, 200, 200, 403, 200, 403),
    stage: 'assigned',
    body: { plan: 'on_site', findings: 'Blown fuse' },
  },
  'POST /cases/{id}/record-work': {
    expected: row(403, 403, 403, 200, 403, 200, 403),
    stage: 'on_site',
    body: { description: 'Replaced fuse', minutes: 20 },
  },
  'POST /cases/{id}/sign-off': {
    expected: row(403, 403, 403, 200, 403, 200, 403),
    stage: 'worked',
    body: { customerName: 'Wang Fang' },
  },
  'POST /cases/{id}/resolve-remotely': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'assigned',
    body: { guidance: 'Hold reset for 10 s' },
  },
  'POST /cases/{id}/hold': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'assigned',
    body: { reason: 'customer', note: 'Customer away until Monday' },
  },
  'POST /cases/{id}/resume': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'awaiting_customer',
    body: {},
  },
  'POST /cases/{id}/workshop-check-in': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'assigned',
    body: { itemDescription: 'Indoor unit', condition: 'Scratched' },
  },
  'POST /cases/{id}/repair-card': {
    expected: row(403, 403, 403, 200, 403, 200, 403),
    stage: 'in_workshop',
    body: { description: 'Fan motor', minutes: 30, finished: true },
  },
  'POST /cases/{id}/inspect': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    stage: 'repaired',
    body: { result: 'pass' },
  },
  'POST /cases/{id}/workshop-return': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'inspected',
    body: { customerSignature: 'Wang Fang' },
  },
  'POST /cases/{id}/categorize': {
    expected: row(403, 200, 200, 403, 403, 200, 403),
    stage: 'received',
    body: { category: 'B', reason: 'Contract found in the customer file' },
  },
  'POST /cases/{id}/quote': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'paid',
    body: paidLines,
  },
  'POST /cases/{id}/accept-quote': {
    expected: row(200, 200, 403, 403, 403, 200, 403),
    stage: 'paid_quoted',
    body: { total: 80 },
  },
  'POST /cases/{id}/charge': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    stage: 'paid_accepted',
    body: paidLines,
  },
  'POST /cases/{id}/close': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    stage: 'completed',
    body: {},
  },
  'POST /cases/{id}/cancel': {
    expected: row(200, 200, 200, 403, 403, 200, 403),
    stage: 'received',
    body: { reason: 'Fixed itself' },
  },
  'POST /cases/{id}/update-details': {
    expected: row(403, 200, 200, 403, 403, 200, 403),
    stage: 'received',
    body: { zone: 'suburban', reason: 'Address is outside the ring road' },
  },

  // Public survey pages: nobody is refused; a made-up link gets the "invalid link" page.
  'GET /survey/{token}': { expected: row(404, 404, 404, 404, 404, 404, 404) },
  'POST /survey/{token}': { expected: row(404, 404, 404, 404, 404, 404, 404), body: 'attitude=4' },
  // Measures (SPEC §2, §4, §10): managers and ops read every report. A technician reads their own daily
  // report and writes its note (a manager, who may do all a technician may, only on their own);
  // dispatchers, the service supervisors of SPEC §4,
  // read technicians' daily reports and make the branch's daily roll-up, but not the company's KPIs.
  'GET /reports/kpis': {
    expected: row(403, 403, 403, 403, 403, 200, 200),
    path: '/reports/kpis?period=2026-12',
  },
  'GET /reports/trends': {
    expected: row(403, 403, 403, 403, 403, 200, 200),
    path: '/reports/trends?period=2026-12',
  },
  'GET /reports/faults/{month}': { expected: row(403, 403, 403, 403, 403, 200, 200) },
  'GET /reports/technicians/{id}/daily/{day}': {
    expected: row(403, 403, 200, 200, 403, 200, 200),
    path: '/reports/technicians/me/daily/2026-12-01',
  },
  'POST /reports/technicians/{id}/daily/{day}/note': {
    expected: row(403, 403, 403, 200, 403, 200, 403),
    path: '/reports/technicians/me/daily/2026-12-01/note',
    body: { note: 'Waited an hour for the lift' },
  },
  'GET /reports/branches/{id}/daily/{day}': {
    expected: row(403, 403, 200, 403, 403, 200, 200),
    path: '/reports/branches/main/daily/2026-12-01',
  },
  'GET /reports/headquarters/daily/{day}': {
    expected: row(403, 403, 403, 403, 403, 200, 200),
    path: '/reports/headquarters/daily/2026-12-01',
  },
  'GET /surveys/scorecard/{month}': { expected: row(403, 403, 403, 403, 403, 200, 200) },
  'GET /surveys/phone-follow-ups': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'GET /surveys/flagged-replies': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'GET /complaints': { expected: row(403, 200, 200, 403, 403, 200, 403) },

  'GET /knowledge/search': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: '/knowledge/search?q=rattling',
  },
  'GET /knowledge/suggestions': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: '/knowledge/suggestions?symptoms=rattling%20noise&productLine=air-conditioner',
  },
  'GET /knowledge/entries': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    path: '/knowledge/entries?status=published',
  },
  'POST /knowledge/entries': {
    expected: row(403, 403, 201, 403, 403, 201, 403),
    body: (role: Role) => kbEntry(`RM-NEW-${nth(role)}`),
  },
  'GET /knowledge/entries/{productLine}/{code}': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/knowledge/entries/air-conditioner/${KB_PUBLIC}`,
  },
  'POST /knowledge/entries/{productLine}/{code}': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    path: (role: Role) => `/knowledge/entries/air-conditioner/RM-OWN-${nth(role)}`,
    body: (() => {
      const { code: _c, ...change } = kbEntry('x');
      return change;
    })(),
  },
  'GET /knowledge/entries/{productLine}/{code}/history': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    path: `/knowledge/entries/air-conditioner/${KB_PUBLIC}/history`,
  },
  'POST /knowledge/entries/{productLine}/{code}/feedback': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/knowledge/entries/air-conditioner/${KB_PUBLIC}/feedback`,
    body: { helpful: true },
  },
  'GET /knowledge/entries/{productLine}/{code}/wizard': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/knowledge/entries/air-conditioner/${KB_PUBLIC}/wizard?answers=yes`,
  },
  'GET /knowledge/measures/{day}': {
    expected: row(403, 403, 403, 403, 403, 200, 200),
    path: '/knowledge/measures/2026-12-01',
  },
  // Complaints (§2, §8): customers register and follow their own (portal); reception registers them from
  // phone, letter and walk-in, verifies sales data and tells the customer the answer; supervisors
  // (dispatchers) handle them in person — report, investigations, analysis, actions, decisions within their
  // authority, the answer, the case library; managers all of it and above the supervisor's authority, plus
  // the settings. Every allowed call is made on a real complaint at the step it completes.
  'POST /complaints': {
    expected: row(201, 201, 201, 403, 403, 201, 403),
    body: (role: Role) =>
      role === 'customer'
        ? { channel: 'portal', customer: { name: 'Wang Fang' }, subject: 'quality', text: 'Leaks' }
        : { channel: 'hotline', customerId: CUSTOMER, subject: 'quality', text: 'Leaks' },
  },
  'GET /complaints/{id}': { expected: row(200, 200, 200, 403, 403, 200, 403), complaint: 'read' },
  'GET /complaints/{id}/timeline': { expected: row(200, 200, 200, 403, 403, 200, 403), complaint: 'read' },
  'GET /complaints/{id}/steps': { expected: row(403, 200, 200, 403, 403, 200, 403), complaint: 'read' },
  'GET /customers/me/complaints': { expected: row(200, 403, 403, 403, 403, 200, 403) },
  'GET /complaint-steps': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'POST /complaints/{id}/report': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    complaint: 'step',
    // The supervisor's lane investigates sales and quality, the manager's production.
    body: (role: Role) => ({
      summary: 'Called the customer',
      investigate: { sales: role !== 'manager', quality: role !== 'manager', production: role === 'manager' },
    }),
  },
  'POST /complaints/{id}/investigations/{area}': {
    expected: row(403, 200, 200, 403, 403, 200, 403),
    complaint: 'step',
    body: (role: Role) => investigationBy[areaOf(role)],
  },
  'POST /complaints/{id}/analysis': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    complaint: 'step',
    body: { report: 'Cracked fitting', cause: 'quality', responsibility: 'Supplier' },
  },
  'POST /complaints/{id}/actions': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    complaint: 'step',
    body: {
      corrective: [{ action: 'Replace', owner: 'Li Wei', deadline: '2026-12-01' }],
      preventive: [{ action: 'Inspect', owner: 'QA', deadline: '2026-12-15' }],
    },
  },
  'POST /complaints/{id}/decision': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    complaint: 'step',
    // Within the supervisor's authority.
    body: { remedy: 'Free replacement', amount: 100 },
  },
  'POST /complaints/{id}/customer-answer': {
    expected: row(403, 200, 200, 403, 403, 200, 403),
    complaint: 'step',
    // The supervisor's customer is not satisfied the first time; reception tells them the second answer.
    body: (role: Role) => ({ method: 'phone', message: 'We replace it', satisfied: role !== 'dispatcher' }),
  },
  'POST /complaints/{id}/publish': {
    expected: row(403, 403, 201, 403, 403, 201, 403),
    complaint: 'step',
    body: { problemType: 'Leak', causeDetail: 'Fitting', handling: 'Replaced', lessons: 'Test fittings' },
  },
  // The case library teaches technicians too (§9 knowledge); ops read reports only.
  'GET /complaint-library': {
    expected: row(403, 200, 200, 200, 403, 200, 403),
    path: '/complaint-library?productLine=water-heater',
  },
  'GET /complaint-settings': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'POST /complaint-settings': { expected: row(403, 403, 403, 403, 403, 200, 403), body: { maxRounds: 2 } },
  'GET /tasks/supervisor-visits': { expected: row(403, 403, 200, 403, 403, 200, 403) },

  // Parts (SPEC §2, §5): fixtures in `partsFixture` below; each writing role its own record.
  'GET /parts/catalogue': { expected: row(403, 200, 200, 200, 200, 200, 200) },
  'GET /parts/catalogue/{partNumber}': {
    expected: row(403, 200, 200, 200, 200, 200, 200),
    path: `/parts/catalogue/${PART}`,
  },
  'POST /parts/catalogue/{partNumber}': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/parts/catalogue/PM-NEW-${nth(role)}`,
    body: partInput,
  },
  'POST /parts/catalogue/{partNumber}/abc-override': {
    expected: row(403, 403, 403, 403, 403, 200, 403),
    path: `/parts/catalogue/${PART}/abc-override`,
    body: { abcClass: 'A', reason: 'Critical part' },
  },
  'GET /parts/locations': { expected: row(403, 403, 200, 200, 200, 200, 200) },
  'POST /parts/locations/{id}': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/parts/locations/wh-matrix-new-${nth(role)}`,
    body: { name: 'Store', kind: 'warehouse', branchId: 'main' },
  },
  'GET /parts/stock': {
    expected: row(403, 403, 200, 200, 200, 200, 200),
    path: `/parts/stock?locationId=${WAREHOUSE}`,
  },
  'POST /parts/stock/{partNumber}/{locationId}': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/parts/stock/${PART}/${WAREHOUSE}-${nth(role)}`,
    body: { reorderLevel: 2, overstockLevel: 500 },
  },
  'GET /parts/alerts': { expected: row(403, 403, 200, 403, 200, 200, 200) },
  'GET /parts/ledger': {
    expected: row(403, 403, 200, 200, 200, 200, 200),
    path: `/parts/ledger?locationId=${VAN}`,
  },
  'GET /parts/movements/{id}': {
    expected: row(403, 403, 200, 403, 200, 200, 200),
    path: '/parts/movements/rcv-matrix-wh',
  },
  'POST /parts/receipts': {
    expected: row(403, 403, 403, 403, 201, 201, 403),
    body: (role: Role) => ({
      movementId: `m-rcv-${nth(role)}`,
      locationId: WAREHOUSE,
      lines: [{ partNumber: PART, quantity: 1 }],
      purchaseReference: 'PO-1',
    }),
  },
  'POST /parts/transfers': {
    expected: row(403, 403, 403, 403, 201, 201, 403),
    body: (role: Role) => ({
      movementId: `m-tr-${nth(role)}`,
      fromLocationId: WAREHOUSE,
      toLocationId: `${WAREHOUSE}-1`,
      lines: [{ partNumber: PART, quantity: 1 }],
    }),
  },
  'POST /parts/scrap': {
    expected: row(403, 403, 403, 403, 201, 201, 403),
    body: (role: Role) => ({
      movementId: `m-scrap-${nth(role)}`,
      locationId: WAREHOUSE,
      lines: [{ partNumber: PART, quantity: 1 }],
      reason: 'Broken',
    }),
  },
  'POST /parts/reservations': {
    expected: row(403, 403, 403, 201, 201, 201, 403),
    body: (role: Role) => ({
      movementId: `m-res-${nth(role)}`,
      locationId: VAN,
      caseId: partsFixture.caseId,
      lines: [{ partNumber: PART, quantity: 1 }],
    }),
  },
  'POST /parts/consumptions': {
    expected: row(403, 403, 403, 201, 403, 201, 403),
    body: (role: Role) => ({
      movementId: `m-use-${nth(role)}`,
      caseId: partsFixture.caseId,
      locationId: VAN,
      lines: [{ partNumber: PART, quantity: 1 }],
      reason: 'Worn out',
    }),
  },
  'POST /parts/returns': {
    expected: row(403, 403, 403, 201, 201, 201, 403),
    body: (role: Role) => ({
      movementId: `m-ret-${nth(role)}`,
      caseId: partsFixture.caseId,
      locationId: VAN,
      lines: [{ partNumber: PART, quantity: 1 }],
      reason: 'Not needed',
    }),
  },
  'POST /parts/movements/{id}/reverse': {
    expected: row(403, 403, 403, 403, 201, 201, 403),
    path: (role: Role) => `/parts/movements/m-rev-target-${nth(role)}/reverse`,
    body: (role: Role) => ({ movementId: `m-rev-${nth(role)}`, reason: 'Booked twice' }),
  },
  'POST /parts/requisitions': {
    expected: row(403, 403, 403, 201, 403, 201, 403),
    body: (role: Role) => ({
      requisitionId: `REQ-NEW-${nth(role)}`,
      fromLocationId: WAREHOUSE,
      toLocationId: VAN,
      lines: [{ partNumber: PART, quantity: 1 }],
    }),
  },
  'GET /parts/requisitions': { expected: row(403, 403, 200, 200, 200, 200, 200) },
  'GET /parts/requisitions/{id}': {
    expected: row(403, 403, 200, 200, 200, 200, 200),
    path: '/parts/requisitions/REQ-READ',
  },
  'POST /parts/requisitions/{id}/decide': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    path: (role: Role) => `/parts/requisitions/REQ-DECIDE-${nth(role)}/decide`,
    body: { approve: true },
  },
  'POST /parts/requisitions/{id}/issue': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/parts/requisitions/REQ-ISSUE-${nth(role)}/issue`,
    body: {},
  },
  'POST /parts/counts': {
    expected: row(403, 403, 403, 403, 201, 201, 403),
    body: (role: Role) => ({ countId: `CNT-NEW-${nth(role)}`, locationId: WAREHOUSE }),
  },
  'GET /parts/counts/{id}': {
    expected: row(403, 403, 200, 403, 200, 200, 200),
    path: '/parts/counts/CNT-1',
  },
  'POST /parts/counts/{id}/lines': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/parts/counts/CNT-L-${nth(role)}/lines`,
    body: { lines: [{ partNumber: PART, counted: 1000 }] },
  },
  'POST /parts/counts/{id}/approve': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    path: (role: Role) => `/parts/counts/CNT-${nth(role)}/approve`,
    body: {},
  },
  'GET /parts/purchase-suggestions': { expected: row(403, 403, 403, 403, 200, 200, 200) },
  'POST /parts/purchase-suggestions/{id}/decide': {
    expected: row(403, 403, 403, 403, 403, 200, 403),
    path: () => `/parts/purchase-suggestions/${partsFixture.suggestionId}/decide`,
    body: { approve: true },
  },
  'POST /parts/tools/{serial}': {
    expected: row(403, 403, 403, 403, 201, 201, 403),
    path: (role: Role) => `/parts/tools/TOOL-NEW-${nth(role)}`,
    body: { kind: 'tool', name: 'Vacuum pump', homeLocationId: WAREHOUSE, value: 900 },
  },
  'GET /parts/tools/{serial}': {
    expected: row(403, 403, 200, 200, 200, 200, 200),
    path: '/parts/tools/TOOL-IN-1',
  },
  'POST /parts/tools/{serial}/issue': {
    expected: row(403, 403, 403, 200, 200, 200, 403),
    path: (role: Role) => `/parts/tools/TOOL-IN-${nth(role)}/issue`,
    body: { technicianId: TECHNICIAN, expectedReturn: '2099-12-31' },
  },
  'POST /parts/tools/{serial}/return': {
    expected: row(403, 403, 403, 200, 200, 200, 403),
    path: (role: Role) => `/parts/tools/TOOL-OUT-${nth(role)}/return`,
    body: {},
  },
  'POST /parts/tools/{serial}/lost': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/parts/tools/TOOL-LOST-${nth(role)}/lost`,
    body: { reason: 'Left on site' },
  },
  'GET /parts/overdue-tools': { expected: row(403, 403, 200, 403, 200, 200, 200) },
  'GET /warranty/lines/{productLine}': {
    expected: row(200, 200, 200, 200, 200, 200, 403),
    path: '/warranty/lines/air-conditioner',
  },
  'POST /warranty/lines/{productLine}/terms': {
    expected: row(403, 403, 403, 403, 403, 200, 403),
    path: '/warranty/lines/matrix-line/terms',
    body: warrantyTerms,
  },
  'POST /warranty/lines/{productLine}/promotions': {
    expected: row(403, 403, 403, 403, 403, 201, 403),
    path: '/warranty/lines/air-conditioner/promotions',
    body: (role: Role) => ({
      id: `RM-PROMO-${nth(role)}`,
      name: 'One more year',
      coverage: 'parts',
      extendMonths: 12,
      purchasedFrom: '2026-01-01',
      purchasedTo: '2026-03-31',
    }),
  },
  'POST /warranty/lines/{productLine}/return-rules': {
    expected: row(403, 403, 403, 403, 403, 200, 403),
    path: '/warranty/lines/matrix-line/return-rules',
    body: { returnDays: 7, exchangeDays: 15, conditions: ['unopened'] },
  },
  'GET /warranty/units/{id}': {
    expected: row(200, 200, 200, 200, 403, 200, 403),
    path: `/warranty/units/${ownUnit('customer')}`,
  },
  'GET /cases/{id}/billing': { expected: row(200, 200, 200, 200, 403, 200, 403), stage: 'assigned' },
  'POST /cases/{id}/invoice': {
    expected: row(403, 201, 403, 201, 403, 201, 403),
    stage: 'paid_worked',
    body: {},
  },
  'POST /contracts': {
    expected: row(403, 201, 403, 403, 403, 201, 403),
    body: (role: Role) => contractBody(ownUnit(role)),
  },
  'GET /contracts': {
    expected: row(200, 200, 200, 403, 403, 200, 403),
    path: `/contracts?customerId=${CUSTOMER}`,
  },
  'GET /contracts/{id}': {
    expected: row(200, 200, 200, 403, 403, 200, 403),
    path: () => `/contracts/${fixtures.contract}`,
  },
  'POST /contracts/{id}': {
    expected: row(403, 200, 403, 403, 403, 200, 403),
    path: (role: Role) => `/contracts/${fixtures.contracts.change[role]}`,
    body: { price: 900, reason: 'Second unit added to the visit plan' },
  },
  'POST /contracts/{id}/renew': {
    expected: row(403, 200, 403, 403, 403, 200, 403),
    path: (role: Role) => `/contracts/${fixtures.contracts.renew[role]}/renew`,
    body: { months: 12 },
  },
  'POST /contracts/{id}/cancel': {
    expected: row(403, 200, 403, 403, 403, 200, 403),
    path: (role: Role) => `/contracts/${fixtures.contracts.cancel[role]}/cancel`,
    body: { reason: 'Moved away' },
  },
  'GET /tasks/renewals': { expected: row(403, 200, 200, 403, 403, 200, 403) },
  'GET /warranty/courtesy-calls': {
    expected: row(403, 200, 200, 403, 403, 200, 403),
    path: '/warranty/courtesy-calls?branchId=main&month=2026-12',
  },
  'POST /warranty/courtesy-calls/{branchId}/{month}/{serial}': {
    expected: row(403, 200, 403, 403, 403, 200, 403),
    path: (role: Role) => `/warranty/courtesy-calls/main/${courtesyMonth}/${ownUnit(role)}`,
    body: { outcome: 'all_well' },
  },
  'POST /returns': {
    expected: row(201, 201, 403, 403, 403, 201, 403),
    body: (role: Role) => ({
      serialNumber: ownUnit(role),
      kind: 'exchange',
      condition: 'defective',
      reason: 'Noisy',
    }),
  },
  'GET /returns': { expected: row(200, 200, 200, 403, 200, 200, 403) },
  'GET /returns/{id}': {
    expected: row(200, 200, 200, 403, 200, 200, 403),
    path: () => `/returns/${fixtures.return}`,
  },
  'POST /returns/{id}/decide': {
    expected: row(403, 403, 200, 403, 403, 200, 403),
    path: (role: Role) => `/returns/${fixtures.returns.decide[role]}/decide`,
    body: { decision: 'approve', note: 'Faulty fan', cause: 'product_quality', department: 'rnd_production' },
  },
  'POST /returns/{id}/ship': {
    expected: row(403, 200, 200, 403, 403, 200, 403),
    path: (role: Role) => `/returns/${fixtures.returns.ship[role]}/ship`,
    body: { carrier: 'SF Express', trackingNumber: 'SF1234567890' },
  },
  'POST /returns/{id}/receive': {
    expected: row(403, 403, 403, 403, 200, 200, 403),
    path: (role: Role) => `/returns/${fixtures.returns.receive[role]}/receive`,
    body: { disposition: 'scrap', locationId: 'wh-returns', note: 'Housing cracked' },
  },
};

/**
 * Rows where the code still answers otherwise than SPEC §2, on routes whose roles are declared in
 * functions/catalog.ts and the services behind them. The test asserts each one still disagrees: when
 * the code is fixed, it fails here, and the entry must go.
 */
const knownDisagreements: readonly { route: string; role: Role; actual: number }[] = [];

let sys: TestSystem;
let staff: { agent: Caller; dispatcher: Caller; tech: Caller };
beforeAll(async () => {
  // Hundreds of calls in parallel: the stage's rate limit is not what this file tests.
  sys = await startTestSystem({ throttle: { rateLimit: 100_000, burstLimit: 100_000 } });
  staff = {
    agent: await sys.as('agent'),
    dispatcher: await sys.as('dispatcher'),
    tech: await sys.as('technician', TECHNICIAN),
  };
  // The directory the fixtures refer to: the customer, the technicians, the units the cells read and change.
  await technicians(sys, [TECHNICIAN, 'tech-other']);
  await Promise.all(roles.map((role) => registered(sys, ownRecord(role))));
  await Promise.all(roles.map((role) => unit(sys, ownUnit(role), CUSTOMER)));
  // One at a time: each entry change moves the search marker.
  const author = await sys.as('manager');
  for (const code of [KB_PUBLIC, ...roles.map((role) => `RM-OWN-${nth(role)}`)])
    await ok(author.post('/knowledge/entries', kbEntry(code)));
  // Contracts and returns of the customer: one each to read, one per role and action to change.
  const contract = async () =>
    (await ok(author.post('/contracts', contractBody(ownUnit('customer'))))).id as string;
  const applied = async () =>
    (
      await ok(
        author.post('/returns', {
          serialNumber: ownUnit('customer'),
          kind: 'return',
          condition: 'defective',
          reason: 'Dead on arrival',
        }),
      )
    ).id as string;
  const decision = {
    decision: 'approve',
    note: 'Faulty',
    cause: 'product_quality',
    department: 'rnd_production',
  };
  const shipment = { carrier: 'SF Express', trackingNumber: 'SF0000000001' };
  fixtures.contract = await contract();
  fixtures.return = await applied();
  // The courtesy call list of the matrix's units, one line per unit (each role records its own).
  await buildCourtesyCalls(courtesyDeps(process.env as never), courtesyMonth);
  // Returned units come back to a store of their own, as the catalogue part of their model.
  const clerk = await sys.as('parts_clerk');
  await ok(
    clerk.post('/parts/locations/wh-returns', { name: 'Returns store', kind: 'warehouse', branchId: 'main' }),
  );
  await ok(clerk.post('/parts/catalogue/AC-3200', { ...partInput, name: 'AC-3200 indoor unit' }));
  for (const role of roles) {
    fixtures.contracts.change[role] = await contract();
    fixtures.contracts.renew[role] = await contract();
    fixtures.contracts.cancel[role] = await contract();
    fixtures.returns.decide[role] = await applied();
    const toShip = await applied();
    await ok(author.post(`/returns/${toShip}/decide`, decision));
    fixtures.returns.ship[role] = toShip;
    const toReceive = await applied();
    await ok(author.post(`/returns/${toReceive}/decide`, decision));
    await ok(author.post(`/returns/${toReceive}/ship`, shipment));
    fixtures.returns.receive[role] = toReceive;
  }
});
afterAll(async () => {
  await sys.stop();
});

/**
 * The parts records the cells call on, made by the roles that normally make them: locations, the part and
 * its stock, a case of tech-matrix with parts consumed on it, a movement per role to reverse, pending and
 * approved requisitions, open counts, tools in and out, and a purchase suggestion from a reorder crossing.
 */
beforeAll(async () => {
  const clerk = await sys.as('parts_clerk');
  const manager = await sys.as('manager');
  const { dispatcher } = staff;
  const tech = await sys.as('technician', TECHNICIAN);
  const locations = [
    [WAREHOUSE, { name: 'Matrix store', kind: 'warehouse', branchId: 'main' }],
    [VAN, { name: 'Matrix van', kind: 'van', branchId: 'main', technicianId: TECHNICIAN }],
    ...roles.map(
      (r) => [`${WAREHOUSE}-${nth(r)}`, { name: 'Side store', kind: 'warehouse', branchId: 'main' }] as const,
    ),
  ] as const;
  for (const [id, body] of locations) await ok(clerk.post(`/parts/locations/${id}`, body));
  await ok(clerk.post(`/parts/catalogue/${PART}`, partInput));
  await ok(clerk.post(`/parts/catalogue/PM-LOW`, partInput));
  const receipt = (movementId: string, locationId: string, quantity: number, partNumber = PART) =>
    ok(
      clerk.post('/parts/receipts', {
        movementId,
        locationId,
        lines: [{ partNumber, quantity }],
        purchaseReference: 'PO-0',
      }),
    );
  await receipt('rcv-matrix-wh', WAREHOUSE, 100);
  await receipt('rcv-matrix-van', VAN, 50);
  for (const r of roles) await receipt(`m-rev-target-${nth(r)}`, WAREHOUSE, 1);
  partsFixture.caseId = await caseAt('assigned');
  await ok(
    tech.post('/parts/consumptions', {
      movementId: 'm-use-fixture',
      caseId: partsFixture.caseId,
      locationId: VAN,
      lines: [{ partNumber: PART, quantity: 10 }],
      reason: 'Fixture',
    }),
  );
  const requisition = (id: string) =>
    ok(
      tech.post('/parts/requisitions', {
        requisitionId: id,
        fromLocationId: WAREHOUSE,
        lines: [{ partNumber: PART, quantity: 1 }],
      }),
    );
  await requisition('REQ-READ');
  for (const r of roles) {
    await requisition(`REQ-DECIDE-${nth(r)}`);
    await requisition(`REQ-ISSUE-${nth(r)}`);
    await ok(dispatcher.post(`/parts/requisitions/REQ-ISSUE-${nth(r)}/decide`, { approve: true }));
    await ok(clerk.post('/parts/counts', { countId: `CNT-${nth(r)}`, locationId: WAREHOUSE }));
    await ok(clerk.post('/parts/counts', { countId: `CNT-L-${nth(r)}`, locationId: WAREHOUSE }));
    const tool = { kind: 'tool', name: 'Vacuum pump', homeLocationId: WAREHOUSE, value: 900 };
    for (const kind of ['IN', 'OUT', 'LOST'])
      await ok(clerk.post(`/parts/tools/TOOL-${kind}-${nth(r)}`, tool));
    await ok(
      clerk.post(`/parts/tools/TOOL-OUT-${nth(r)}/issue`, {
        technicianId: TECHNICIAN,
        expectedReturn: '2099-12-31',
      }),
    );
  }
  // Counts the approve cells approve have their lines entered.
  for (const r of roles)
    await ok(
      clerk.post(`/parts/counts/CNT-${nth(r)}/lines`, { lines: [{ partNumber: PART, counted: 1000 }] }),
    );
  // A reorder crossing: the alert consumer files a purchase suggestion.
  await ok(clerk.post(`/parts/stock/PM-LOW/${WAREHOUSE}`, { reorderLevel: 5, overstockLevel: 0 }));
  await receipt('rcv-matrix-low', WAREHOUSE, 10, 'PM-LOW');
  await ok(
    clerk.post('/parts/scrap', {
      movementId: 'scrap-matrix-low',
      locationId: WAREHOUSE,
      lines: [{ partNumber: 'PM-LOW', quantity: 6 }],
      reason: 'Rust',
    }),
  );
  await sys.bus.idle();
  const suggestions = await ok(manager.get('/parts/purchase-suggestions'));
  partsFixture.suggestionId = suggestions.items[0].id;
}, 180_000);

async function ok(res: Promise<{ status: number; body: any }>): Promise<any> {
  const r = await res;
  if (r.status >= 300) throw new Error(`fixture step failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * A case of customer `cust-matrix` brought to `stage` by the roles that normally do each step; from
 * `assigned` on it is assigned to `tech-matrix`.
 */
async function caseAt(stage: Stage): Promise<string> {
  const { agent, dispatcher, tech } = staff;
  const paid =
    stage === 'paid' || stage === 'paid_quoted' || stage === 'paid_accepted' || stage === 'paid_worked';
  const { id } = await ok(
    agent.post(
      '/cases',
      intake({
        customer: { ...(intake().customer as object), id: CUSTOMER },
        // Bought long ago: out of warranty, so the work is paid (A).
        ...(paid
          ? {
              product: {
                model: 'AC-1',
                serialNumber: 'SN-OLD',
                purchaseDate: '2019-01-01',
                productLine: 'air-conditioner',
              },
            }
          : {}),
      }),
    ),
  );
  const act = (command: string, body: unknown) => ok(tech.post(`/cases/${id}/${command}`, body));
  if (stage === 'received') return id;
  await ok(dispatcher.post(`/cases/${id}/assign`, { technicianId: TECHNICIAN }));
  switch (stage) {
    case 'on_site':
    case 'worked':
      await act('arrive', { idShown: true, faultConfirmed: true });
      if (stage === 'worked') await act('record-work', { description: 'Replaced fuse', minutes: 20 });
      break;
    case 'awaiting_customer':
      await act('hold', { reason: 'customer', note: 'Customer away' });
      break;
    case 'in_workshop':
    case 'repaired':
    case 'inspected':
      await act('workshop-check-in', { itemDescription: 'Indoor unit', condition: 'Scratched' });
      if (stage === 'in_workshop') break;
      await act('repair-card', { description: 'Fan motor', minutes: 30, finished: true });
      if (stage === 'inspected') await ok(dispatcher.post(`/cases/${id}/inspect`, { result: 'pass' }));
      break;
    case 'completed':
      await act('resolve-remotely', { guidance: 'Power cycle' });
      break;
    case 'paid_quoted':
    case 'paid_accepted':
    case 'paid_worked':
      await act('quote', paidLines);
      if (stage === 'paid_quoted') break;
      await ok(agent.post(`/cases/${id}/accept-quote`, { total: 80 }));
      if (stage === 'paid_worked') {
        await act('arrive', { idShown: true, faultConfirmed: true });
        await act('record-work', { description: 'Replaced fuse', minutes: 20 });
      }
      break;
    case 'assigned':
    case 'paid':
      break;
  }
  return id;
}

const callers = new Map<string, Promise<Caller>>();
/** One caller per role: the customer owns every fixture, the technician is assigned to them. */
function callerFor(role: Role, own?: string): Promise<Caller> {
  const sub = own ?? (role === 'customer' ? CUSTOMER : role === 'technician' ? TECHNICIAN : undefined);
  const cacheKey = `${role}#${sub ?? ''}`;
  let caller = callers.get(cacheKey);
  if (!caller) {
    caller = sys.as(role, sub);
    callers.set(cacheKey, caller);
  }
  return caller;
}

const cellName = (role: Role, route: string) => `${role.padEnd(11)} ${route}`;
const cells = Object.entries(expectations).flatMap(([route, e]) =>
  roles.map((role) => {
    const known = knownDisagreements.find((d) => d.route === route && d.role === role);
    return { route, role, ...e, spec: e.expected[role], known, name: cellName(role, route) };
  }),
);

/**
 * The case a cell calls on. A call that may change it gets its own; calls that read or are refused
 * share one per route (a refused call that got through would fail its own cell anyway).
 */
const shared = new Map<string, Promise<string>>();
function fixtureFor(route: string, stage: Stage, changesIt: boolean): Promise<string> {
  if (changesIt) return caseAt(stage);
  let id = shared.get(route);
  if (!id) {
    id = caseAt(stage);
    shared.set(route, id);
  }
  return id;
}

type Response = Awaited<ReturnType<Caller['get']>>;

/**
 * Complaint lanes: two complaints of the matrix customer, each walked through the investigation by the
 * cells themselves — every allowed step call of the table is made on a complaint whose workflow waits for
 * that very step, so it gets its real success status. The supervisor's lane: report, quality (reception
 * sales at once), analysis, actions, decision, an answer the customer rejects, a second round by the
 * fixture, reception's answer the customer accepts, publish. The manager's lane: the same path once,
 * investigating production. Two executions in all, besides the ones `POST /complaints` starts.
 */
const laneResponses = new Map<string, Promise<Response>>();
const laneAnswers = new Map<string, (r: Response) => void>();
for (const c of Object.entries(expectations).flatMap(([route, e]) =>
  e.complaint === 'step'
    ? roles.filter((role) => e.expected[role] !== 403).map((role) => ({ route, role }))
    : [],
)) {
  const key = cellName(c.role, c.route);
  laneResponses.set(key, new Promise((resolve) => laneAnswers.set(key, resolve)));
}
function laneCall(route: string, role: Role): Promise<Response> {
  const r = laneResponses.get(cellName(role, route));
  if (!r) throw new Error(`no lane makes ${route} as ${role}`);
  return r;
}

/** Polls the complaint until `done` says so (the workflow opens steps asynchronously). */
async function until(id: string, what: string, done: (steps: any[], complaint: any) => boolean) {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const [steps, c] = await Promise.all([
      staff.dispatcher.get(`/complaints/${id}/steps`),
      staff.dispatcher.get(`/complaints/${id}`),
    ]);
    if (done(steps.body.items ?? [], c.body)) return;
    if (Date.now() > deadline) throw new Error(`complaint ${id}: still no ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const stepWaiting = (id: string, kind: string, round = 1) =>
  until(id, `${kind} step waiting in round ${round}`, (steps) =>
    steps.some((s) => s.kind === kind && s.round === round && s.status === 'waiting'),
  );

function runLane(
  id: string,
  /** The roles whose allowed step cells this lane makes. */
  owns: (role: Role) => boolean,
  script: (cell: (route: string, role: Role) => Promise<void>) => Promise<void>,
) {
  const made = new Set<string>();
  const cell = async (route: string, role: Role) => {
    const e = expectations[route];
    const given = e?.body;
    const body = typeof given === 'function' ? given(role) : given;
    const path = route.split(' ')[1]?.replace('{id}', id).replace('{area}', areaOf(role)) as string;
    const res = await (await callerFor(role)).post(path, body);
    made.add(cellName(role, route));
    laneAnswers.get(cellName(role, route))?.(res);
    if (res.status !== e?.expected[role]) throw new Error(`lane stopped at ${route} as ${role}`);
  };
  return script(cell).catch((err: Error) => {
    // The cells the lane did not reach fail with the reason.
    for (const role of roles.filter(owns))
      for (const [key, answer] of laneAnswers)
        if (key.startsWith(`${role.padEnd(11)} `) && !made.has(key))
          answer({ status: -1, body: { lane: id, error: err.message } } as unknown as Response);
  });
}

const fixtureStep = async (id: string, path: string, body: unknown) => {
  await ok(staff.dispatcher.post(`/complaints/${id}/${path}`, body));
};

let lanes: { dispatcher: Promise<string>; manager: Promise<string> };
async function registerComplaint(): Promise<string> {
  const c = await ok(
    staff.agent.post('/complaints', {
      channel: 'hotline',
      customerId: CUSTOMER,
      subject: 'quality',
      text: 'The water heater leaks again',
      refs: { productLine: 'water-heater', unitSerial: ownUnit('customer') },
    }),
  );
  return c.id as string;
}
function startLanes(): Promise<void> {
  const R = (path: string) => `POST /complaints/{id}/${path}`;
  const dispatcher = registerComplaint();
  const manager = registerComplaint();
  lanes = { dispatcher, manager };
  const supervisorLane = dispatcher.then((id) =>
    runLane(
      id,
      (role) => role !== 'manager',
      async (cell) => {
        await stepWaiting(id, 'supervisor_report');
        await cell(R('report'), 'dispatcher');
        await Promise.all([stepWaiting(id, 'sales_verification'), stepWaiting(id, 'quality_investigation')]);
        await Promise.all([
          cell(R('investigations/{area}'), 'agent'),
          cell(R('investigations/{area}'), 'dispatcher'),
        ]);
        for (const [kind, path] of [
          ['analysis', 'analysis'],
          ['actions', 'actions'],
          ['decision', 'decision'],
          ['customer_answer', 'customer-answer'],
        ] as const) {
          await stepWaiting(id, kind);
          await cell(R(path), 'dispatcher');
        }
        // Round 2, by the fixture, up to the answer
        for (const [kind, path] of [
          ['analysis', 'analysis'],
          ['actions', 'actions'],
          ['decision', 'decision'],
        ] as const) {
          await stepWaiting(id, kind, 2);
          const e = expectations[R(path)]?.body;
          await fixtureStep(id, path, typeof e === 'function' ? e('dispatcher') : e);
        }
        await stepWaiting(id, 'customer_answer', 2);
        await cell(R('customer-answer'), 'agent');
        await until(id, 'closing', (_s, c) => c.status === 'closed');
        await cell(R('publish'), 'dispatcher');
      },
    ),
  );
  const managerLane = manager.then((id) =>
    runLane(
      id,
      (role) => role === 'manager',
      async (cell) => {
        await stepWaiting(id, 'supervisor_report');
        await cell(R('report'), 'manager');
        await stepWaiting(id, 'production_investigation');
        await cell(R('investigations/{area}'), 'manager');
        for (const [kind, path] of [
          ['analysis', 'analysis'],
          ['actions', 'actions'],
          ['decision', 'decision'],
          ['customer_answer', 'customer-answer'],
        ] as const) {
          await stepWaiting(id, kind);
          await cell(R(path), 'manager');
        }
        await until(id, 'closing', (_s, c) => c.status === 'closed');
        await cell(R('publish'), 'manager');
      },
    ),
  );
  return Promise.all([supervisorLane, managerLane]).then(() => undefined);
}

/** One call of the table: prepared and made in `beforeAll`, all at once, then assessed one test each. */
async function call({
  route,
  role,
  stage,
  body: given,
  path: fixed,
  sub,
  spec,
  complaint,
}: (typeof cells)[number]) {
  // Prepare
  const [method, template] = route.split(' ') as ['GET' | 'POST', string];
  // An allowed complaint step is made by its lane, once the workflow waits for it.
  if (complaint === 'step' && spec !== 403) return laneCall(route, role);
  const id = complaint
    ? await lanes.dispatcher
    : stage
      ? await fixtureFor(route, stage, method === 'POST' && spec !== 403)
      : 'main';
  // SLA milestones are kept by an event consumer: let it catch up with the fixture.
  if (route.endsWith('/sla')) await sys.bus.idle();
  const path =
    (typeof fixed === 'function' ? fixed(role) : fixed) ??
    template
      .replace('{id}', id)
      .replace('{area}', areaOf(role))
      .replace('{month}', MONTH)
      .replace('{token}', 'not-a-real-link');
  const caller = await callerFor(role, sub?.[role]);
  const body = typeof given === 'function' ? given(role) : given;

  // Act
  if (method === 'GET') return caller.get(path);
  if (typeof body === 'string') {
    return caller.raw(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }
  return caller.post(path, route === 'POST /cases' ? intakeAs(role) : body);
}

let responses: Map<string, Awaited<ReturnType<typeof call>>>;
beforeAll(async () => {
  // Settled, not thrown: a lane that stops answers its remaining cells with the reason.
  const walked = startLanes().catch((err: Error) => err);
  responses = new Map(await Promise.all(cells.map(async (c) => [c.name, await call(c)] as const)));
  await walked;
  // Some hundred fixtures and calls, with the event consumers they wake: slow on a busy machine.
}, 180_000);

describe('role × route, as SPEC §2 says', () => {
  it.each(cells)('$name', ({ name, route, role, spec, known }) => {
    // Assess
    const res = responses.get(name);
    if (known) {
      expect(res?.status, `${route} for ${role}: fixed? then drop it from knownDisagreements`).toBe(
        known.actual,
      );
      return;
    }
    expect(res?.status, JSON.stringify(res?.body)).toBe(spec);
    if (spec === 403) expect(res?.headers.get('content-type')).toContain('application/problem+json');
  });
});

/** Customers register for themselves through the app; staff name the customer. */
function intakeAs(role: Role): Record<string, unknown> {
  if (role !== 'customer') return intake();
  return intake({ channel: 'app', customer: { name: 'Li Lei', address: 'A', phone: '+86 135 0000 0000' } });
}

describe('ownership hides other people’s cases (404, not 403)', () => {
  it.each([
    ['a customer reading another customer’s case', 'customer', 'GET', ''],
    ['a customer cancelling another customer’s case', 'customer', 'POST', '/cancel'],
    ['a technician reading a case assigned to someone else', 'technician', 'GET', ''],
    ['a technician reading the timeline of someone else’s case', 'technician', 'GET', '/timeline'],
    ['a technician recording arrival on someone else’s case', 'technician', 'POST', '/arrive'],
  ] as const)('%s', async (_name, role, method, suffix) => {
    // Prepare
    const id = await caseAt('assigned');
    const stranger = await sys.as(role);
    const body = suffix === '/cancel' ? { reason: 'x' } : { idShown: true, faultConfirmed: true };

    // Act
    const res =
      method === 'GET'
        ? await stranger.get(`/cases/${id}${suffix}`)
        : await stranger.post(`/cases/${id}${suffix}`, body);

    // Assess
    expect(res.status).toBe(404);
  });
});

describe('ownership hides other people’s complaints (404, not 403)', () => {
  it('a customer reading another customer’s complaint and its timeline', async () => {
    // Prepare
    const id = await lanes.dispatcher;
    const stranger = await sys.as('customer');

    // Act
    const record = await stranger.get(`/complaints/${id}`);
    const timeline = await stranger.get(`/complaints/${id}/timeline`);

    // Assess
    expect([record.status, timeline.status]).toEqual([404, 404]);
  });
});

describe('the table itself', () => {
  it('has a row for every route of the catalogue, and none for routes that do not exist', () => {
    // Prepare
    const catalogue = allRoutes.map((r) => r.key).sort();

    // Act
    const table = Object.keys(expectations).sort();

    // Assess
    expect(table).toEqual(catalogue);
  });

  it('lists as known disagreements only cells of the table whose code answer differs from SPEC', () => {
    // Act
    const stale = knownDisagreements.filter(
      (d) => !(d.route in expectations) || expectations[d.route]?.expected[d.role] === d.actual,
    );

    // Assess
    expect(stale).toEqual([]);
  });
});
