/** The parts routes; the rules are in shared/parts/. */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { etag, ifMatchVersion, pageOf } from '../../shared/http/query.ts';
import { decideSuggestion, listSuggestions } from '../../shared/parts/alerts.ts';
import { approveCount, enterCounts, getCount, openCount } from '../../shared/parts/counts.ts';
import {
  consume,
  decideRequisition,
  fileRequisition,
  getMovement,
  getPart,
  getRequisition,
  issueRequisition,
  listAlerts,
  listLocations,
  listParts,
  listRequisitions,
  listStock,
  type MovementView,
  overrideAbc,
  putLocation,
  putPart,
  putStockLevels,
  readLedger,
  receive,
  reserve,
  returnToStock,
  reverse,
  scrap,
  transfer,
} from '../../shared/parts/service.ts';
import {
  getTool,
  issueTool,
  listOverdue,
  loseTool,
  registerTool,
  returnTool,
} from '../../shared/parts/tools.ts';
import { parts } from './catalog.ts';
import { partsDeps } from './deps.ts';

/** A movement: 201 when this request applied it, 200 when a retry found it applied. */
const moved = (r: { movement: MovementView; replayed: boolean }) => ({
  status: r.replayed ? 200 : 201,
  body: r.movement,
  headers: { location: `/parts/movements/${encodeURIComponent(r.movement.id)}` },
});

export const handler = httpRoutes(parts, 'parts-api', {
  'GET /parts/catalogue': async (req) => ({
    status: 200,
    body: await listParts(partsDeps(req.env), pageOf(req.query)),
  }),
  'GET /parts/catalogue/{partNumber}': async (req) => {
    const p = await getPart(partsDeps(req.env), req.params.partNumber);
    return { status: 200, body: p, headers: etag(p.version) };
  },
  'POST /parts/catalogue/{partNumber}': async (req) => {
    const ifMatch = ifMatchVersion(req.headers);
    const p = await putPart(partsDeps(req.env), req.actor, req.params.partNumber, req.body, ifMatch);
    return { status: 200, body: p, headers: etag(p.version) };
  },
  'POST /parts/catalogue/{partNumber}/abc-override': async (req) => ({
    status: 200,
    body: await overrideAbc(partsDeps(req.env), req.actor, req.params.partNumber, req.body),
  }),
  'GET /parts/locations': async (req) => ({
    status: 200,
    body: await listLocations(partsDeps(req.env), pageOf(req.query)),
  }),
  'POST /parts/locations/{id}': async (req) => {
    const ifMatch = ifMatchVersion(req.headers);
    const l = await putLocation(partsDeps(req.env), req.actor, req.params.id, req.body, ifMatch);
    return { status: 200, body: l, headers: etag(l.version) };
  },
  'GET /parts/stock': async (req) => ({
    status: 200,
    body: await listStock(partsDeps(req.env), req.actor, req.query, pageOf(req.query)),
  }),
  'POST /parts/stock/{partNumber}/{locationId}': async (req) => ({
    status: 200,
    body: await putStockLevels(
      partsDeps(req.env),
      req.actor,
      req.params.partNumber,
      req.params.locationId,
      req.body,
    ),
  }),
  'GET /parts/alerts': async (req) => ({ status: 200, body: await listAlerts(partsDeps(req.env)) }),
  'GET /parts/ledger': async (req) => ({
    status: 200,
    body: await readLedger(partsDeps(req.env), req.actor, req.query, pageOf(req.query)),
  }),
  'GET /parts/movements/{id}': async (req) => ({
    status: 200,
    body: await getMovement(partsDeps(req.env), req.params.id),
  }),
  'POST /parts/receipts': async (req) => moved(await receive(partsDeps(req.env), req.actor, req.body)),
  'POST /parts/transfers': async (req) => moved(await transfer(partsDeps(req.env), req.actor, req.body)),
  'POST /parts/scrap': async (req) => moved(await scrap(partsDeps(req.env), req.actor, req.body)),
  'POST /parts/reservations': async (req) => moved(await reserve(partsDeps(req.env), req.actor, req.body)),
  'POST /parts/consumptions': async (req) => moved(await consume(partsDeps(req.env), req.actor, req.body)),
  'POST /parts/returns': async (req) => moved(await returnToStock(partsDeps(req.env), req.actor, req.body)),
  'POST /parts/movements/{id}/reverse': async (req) =>
    moved(await reverse(partsDeps(req.env), req.actor, req.params.id, req.body)),
  'POST /parts/requisitions': async (req) => {
    const { requisition, created } = await fileRequisition(partsDeps(req.env), req.actor, req.body);
    return {
      status: created ? 201 : 200,
      body: requisition,
      headers: { location: `/parts/requisitions/${encodeURIComponent(requisition.id)}` },
    };
  },
  'GET /parts/requisitions': async (req) => ({
    status: 200,
    body: await listRequisitions(partsDeps(req.env), req.actor, req.query.status, pageOf(req.query)),
  }),
  'GET /parts/requisitions/{id}': async (req) => ({
    status: 200,
    body: await getRequisition(partsDeps(req.env), req.actor, req.params.id),
  }),
  'POST /parts/requisitions/{id}/decide': async (req) => ({
    status: 200,
    body: await decideRequisition(partsDeps(req.env), req.actor, req.params.id, req.body),
  }),
  'POST /parts/requisitions/{id}/issue': async (req) => ({
    status: 200,
    body: await issueRequisition(partsDeps(req.env), req.actor, req.params.id),
  }),
  'POST /parts/counts': async (req) => {
    const { count, created } = await openCount(partsDeps(req.env), req.actor, req.body);
    return { status: created ? 201 : 200, body: count };
  },
  'GET /parts/counts/{id}': async (req) => ({
    status: 200,
    body: await getCount(partsDeps(req.env), req.params.id),
  }),
  'POST /parts/counts/{id}/lines': async (req) => ({
    status: 200,
    body: await enterCounts(partsDeps(req.env), req.actor, req.params.id, req.body),
  }),
  'POST /parts/counts/{id}/approve': async (req) => ({
    status: 200,
    body: await approveCount(partsDeps(req.env), req.actor, req.params.id),
  }),
  'GET /parts/purchase-suggestions': async (req) => ({
    status: 200,
    body: await listSuggestions(partsDeps(req.env), req.query.status, pageOf(req.query)),
  }),
  'POST /parts/purchase-suggestions/{id}/decide': async (req) => ({
    status: 200,
    body: await decideSuggestion(partsDeps(req.env), req.actor, req.params.id, req.body),
  }),
  'POST /parts/tools/{serial}': async (req) => ({
    status: 201,
    body: await registerTool(partsDeps(req.env), req.actor, req.params.serial, req.body),
  }),
  'GET /parts/tools/{serial}': async (req) => ({
    status: 200,
    body: await getTool(partsDeps(req.env), req.params.serial),
  }),
  'POST /parts/tools/{serial}/issue': async (req) => ({
    status: 200,
    body: await issueTool(partsDeps(req.env), req.actor, req.params.serial, req.body),
  }),
  'POST /parts/tools/{serial}/return': async (req) => ({
    status: 200,
    body: await returnTool(partsDeps(req.env), req.actor, req.params.serial, req.body ?? {}),
  }),
  'POST /parts/tools/{serial}/lost': async (req) => ({
    status: 200,
    body: await loseTool(partsDeps(req.env), req.actor, req.params.serial, req.body),
  }),
  'GET /parts/overdue-tools': async (req) => ({
    status: 200,
    body: await listOverdue(partsDeps(req.env), req.env.TIME_ZONE),
  }),
});
