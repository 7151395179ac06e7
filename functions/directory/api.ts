/** The directory routes; the rules are in shared/directory/service.ts. */
import { DEFAULT_BRANCH_ID } from '../../shared/branches/defaults.ts';
import {
  findCustomers,
  getBranch,
  getCustomer,
  getStaff,
  getUnit,
  listBranches,
  listStaff,
  listUnits,
  putBranch,
  putStaff,
  registerCustomer,
  registerUnit,
  updateCustomer,
  updateUnit,
} from '../../shared/directory/service.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { etag, ifMatchVersion, pageOf } from '../../shared/http/query.ts';
import { directory } from './catalog.ts';
import { directoryDeps } from './deps.ts';

/** A record with its version as the ETag. */
const one = (status: number, record: { version: number }) => ({
  status,
  body: record,
  headers: etag(record.version),
});

export const handler = httpRoutes(directory, 'directory-api', {
  'GET /directory/branches': async (req) => ({
    status: 200,
    body: await listBranches(directoryDeps(req.env), pageOf(req.query)),
  }),
  'GET /directory/branches/{id}': async (req) =>
    one(200, await getBranch(directoryDeps(req.env), req.params.id)),
  'POST /directory/branches/{id}': async (req) =>
    one(
      200,
      await putBranch(
        directoryDeps(req.env),
        req.actor,
        req.params.id,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'GET /directory/staff': async (req) => {
    const q = req.query;
    return {
      status: 200,
      body: await listStaff(directoryDeps(req.env), q.branchId ?? DEFAULT_BRANCH_ID, pageOf(q)),
    };
  },
  'GET /directory/staff/{id}': async (req) => one(200, await getStaff(directoryDeps(req.env), req.params.id)),
  'POST /directory/staff/{id}': async (req) =>
    one(
      200,
      await putStaff(directoryDeps(req.env), req.actor, req.params.id, req.body, ifMatchVersion(req.headers)),
    ),
  'GET /directory/customers': async (req) => {
    const q = req.query;
    return { status: 200, body: await findCustomers(directoryDeps(req.env), q, pageOf(q)) };
  },
  'POST /directory/customers': async (req) => {
    const c = await registerCustomer(directoryDeps(req.env), req.actor, req.body);
    return { ...one(201, c), headers: { ...etag(c.version), location: `/directory/customers/${c.id}` } };
  },
  'GET /directory/customers/{id}': async (req) =>
    one(200, await getCustomer(directoryDeps(req.env), req.actor, req.params.id)),
  'POST /directory/customers/{id}': async (req) =>
    one(
      200,
      await updateCustomer(
        directoryDeps(req.env),
        req.actor,
        req.params.id,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'GET /directory/customers/{id}/units': async (req) => ({
    status: 200,
    body: await listUnits(directoryDeps(req.env), req.actor, req.params.id, pageOf(req.query)),
  }),
  'POST /directory/units': async (req) => {
    const u = await registerUnit(directoryDeps(req.env), req.actor, req.body);
    return {
      ...one(201, u),
      headers: { ...etag(u.version), location: `/directory/units/${encodeURIComponent(u.serialNumber)}` },
    };
  },
  'GET /directory/units/{id}': async (req) =>
    one(200, await getUnit(directoryDeps(req.env), req.actor, req.params.id)),
  'POST /directory/units/{id}': async (req) =>
    one(
      200,
      await updateUnit(
        directoryDeps(req.env),
        req.actor,
        req.params.id,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
});
