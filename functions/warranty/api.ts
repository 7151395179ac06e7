/** The warranty routes; the rules are in shared/warranty/ (coverage, contracts, returns). */
import { localDay } from '../../shared/cases/numbering.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { etag, ifMatchVersion, pageOf } from '../../shared/http/query.ts';
import {
  cancelContract,
  changeContract,
  createContract,
  getContract,
  listContracts,
  renewalTasks,
  renewContract,
} from '../../shared/warranty/contracts.ts';
import { courtesyCalls, recordCall } from '../../shared/warranty/courtesy.ts';
import {
  applyForReturn,
  decideReturn,
  getReturn,
  listReturns,
  putReturnRules,
  receiveReturn,
  shipReturn,
} from '../../shared/warranty/returns.ts';
import {
  addPromotion,
  caseBilling,
  getLineTerms,
  issueInvoice,
  putTerms,
  unitWarranty,
} from '../../shared/warranty/service.ts';
import { warranty } from './catalog.ts';
import { warrantyApiDeps } from './deps.ts';

/** A versioned record with its version as the ETag. */
const one = (status: number, record: { version: number }) => ({
  status,
  body: record,
  headers: etag(record.version),
});

export const handler = httpRoutes(warranty, 'warranty-api', {
  'GET /warranty/lines/{productLine}': async (req) => ({
    status: 200,
    body: await getLineTerms(warrantyApiDeps(req.env), req.params.productLine),
  }),
  'POST /warranty/lines/{productLine}/terms': async (req) =>
    one(
      200,
      await putTerms(
        warrantyApiDeps(req.env),
        req.actor,
        req.params.productLine,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'POST /warranty/lines/{productLine}/promotions': async (req) => ({
    status: 201,
    body: await addPromotion(warrantyApiDeps(req.env), req.actor, req.params.productLine, req.body),
  }),
  'POST /warranty/lines/{productLine}/return-rules': async (req) =>
    one(200, await putReturnRules(warrantyApiDeps(req.env), req.actor, req.params.productLine, req.body)),
  'GET /warranty/units/{id}': async (req) => ({
    status: 200,
    body: await unitWarranty(warrantyApiDeps(req.env), req.actor, req.params.id, req.query.on),
  }),
  'GET /cases/{id}/billing': async (req) => ({
    status: 200,
    body: await caseBilling(warrantyApiDeps(req.env), req.actor, req.params.id),
  }),
  'POST /cases/{id}/invoice': async (req) => {
    const { invoice, created } = await issueInvoice(warrantyApiDeps(req.env), req.actor, req.params.id);
    return { status: created ? 201 : 200, body: invoice };
  },
  'POST /contracts': async (req) => {
    const c = await createContract(warrantyApiDeps(req.env), req.actor, req.body);
    return { ...one(201, c), headers: { ...etag(c.version), location: `/contracts/${c.id}` } };
  },
  'GET /contracts': async (req) => ({
    status: 200,
    body: await listContracts(warrantyApiDeps(req.env), req.actor, req.query.customerId, pageOf(req.query)),
  }),
  'GET /contracts/{id}': async (req) =>
    one(200, await getContract(warrantyApiDeps(req.env), req.actor, req.params.id)),
  'POST /contracts/{id}': async (req) =>
    one(
      200,
      await changeContract(
        warrantyApiDeps(req.env),
        req.actor,
        req.params.id,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'POST /contracts/{id}/renew': async (req) =>
    one(
      200,
      await renewContract(
        warrantyApiDeps(req.env),
        req.actor,
        req.params.id,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'POST /contracts/{id}/cancel': async (req) =>
    one(200, await cancelContract(warrantyApiDeps(req.env), req.actor, req.params.id, req.body)),
  'GET /tasks/renewals': async (req) => ({
    status: 200,
    body: await renewalTasks(warrantyApiDeps(req.env), req.actor, req.query.assigneeId, pageOf(req.query)),
  }),
  'GET /warranty/courtesy-calls': async (req) => {
    const deps = warrantyApiDeps(req.env);
    const month = req.query.month ?? localDay(deps.now(), deps.timeZone).slice(0, 7);
    return { status: 200, body: await courtesyCalls(deps, req.query.branchId, month, pageOf(req.query)) };
  },
  'POST /warranty/courtesy-calls/{branchId}/{month}/{serial}': async (req) => ({
    status: 200,
    body: await recordCall(warrantyApiDeps(req.env), req.actor, req.params, req.body),
  }),
  'POST /returns': async (req) => {
    const r = await applyForReturn(warrantyApiDeps(req.env), req.actor, req.body);
    return { ...one(201, r), headers: { ...etag(r.version), location: `/returns/${r.id}` } };
  },
  'GET /returns': async (req) => ({
    status: 200,
    body: await listReturns(warrantyApiDeps(req.env), req.actor, req.query.status, pageOf(req.query)),
  }),
  'GET /returns/{id}': async (req) =>
    one(200, await getReturn(warrantyApiDeps(req.env), req.actor, req.params.id)),
  'POST /returns/{id}/decide': async (req) =>
    one(
      200,
      await decideReturn(
        warrantyApiDeps(req.env),
        req.actor,
        req.params.id,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'POST /returns/{id}/ship': async (req) =>
    one(200, await shipReturn(warrantyApiDeps(req.env), req.actor, req.params.id, req.body)),
  'POST /returns/{id}/receive': async (req) =>
    one(200, await receiveReturn(warrantyApiDeps(req.env), req.actor, req.params.id, req.body)),
});
