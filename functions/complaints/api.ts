/** Complaints over HTTP: registration, reads, the human steps of the investigation, the case library. */

import * as z from 'zod/mini';
import { complaintInputSchema } from '../../shared/complaints/forms.ts';
import { completeStep, stepOfArea } from '../../shared/complaints/investigation.ts';
import type { StepKind } from '../../shared/complaints/model.ts';
import {
  changeSettings,
  complaintSteps,
  complaintTimeline,
  listComplaints,
  listOpenVisits,
  myComplaints,
  publishToLibrary,
  readComplaint,
  readSettings,
  registerComplaint,
  searchLibrary,
  waitingSteps,
} from '../../shared/complaints/service.ts';
import { type HttpRequest, httpRoutes } from '../../shared/http/bundle.ts';
import { pageOf } from '../../shared/http/query.ts';
import { complaints } from './catalog.ts';
import { complaintDeps } from './deps.ts';

type Env = Parameters<typeof complaintDeps>[0];

/** Completes the waiting step of `kind` with the (validated) body as its form. */
async function step(req: HttpRequest<Env, { id: string }>, kind: StepKind) {
  const done = await completeStep(
    complaintDeps(req.env),
    req.actor,
    req.params.id,
    kind,
    (req.body ?? {}) as Record<string, unknown>,
  );
  const { taskToken: _t, entity: _e, schemaVersion: _v, ...view } = done;
  return { status: 200, body: view };
}

export const handler = httpRoutes(complaints, 'complaints-api', {
  'POST /complaints': async (req) => ({
    status: 201,
    body: await registerComplaint(
      complaintDeps(req.env),
      req.actor,
      z.parse(complaintInputSchema, req.body ?? {}),
    ),
  }),
  'GET /complaints': async (req) => ({
    status: 200,
    body: await listComplaints(complaintDeps(req.env), req.query.status ?? 'open', pageOf(req.query)),
  }),
  'GET /complaints/{id}': async (req) => ({
    status: 200,
    body: await readComplaint(complaintDeps(req.env), req.actor, req.params.id),
  }),
  'GET /complaints/{id}/timeline': async (req) => ({
    status: 200,
    body: await complaintTimeline(complaintDeps(req.env), req.actor, req.params.id),
  }),
  'GET /complaints/{id}/steps': async (req) => ({
    status: 200,
    body: await complaintSteps(complaintDeps(req.env), req.params.id),
  }),
  'GET /customers/me/complaints': async (req) => ({
    status: 200,
    body: await myComplaints(complaintDeps(req.env), req.actor, pageOf(req.query)),
  }),
  'GET /complaint-steps': async (req) => ({
    status: 200,
    body: await waitingSteps(
      complaintDeps(req.env),
      req.query.ownerRole ??
        (req.actor.roles.includes('dispatcher')
          ? 'dispatcher'
          : req.actor.roles.includes('agent')
            ? 'agent'
            : 'manager'),
      pageOf(req.query),
    ),
  }),
  'POST /complaints/{id}/report': (req) => step(req, 'supervisor_report'),
  'POST /complaints/{id}/investigations/{area}': (req) => step(req, stepOfArea(req.params.area)),
  'POST /complaints/{id}/analysis': (req) => step(req, 'analysis'),
  'POST /complaints/{id}/actions': (req) => step(req, 'actions'),
  'POST /complaints/{id}/decision': (req) => step(req, 'decision'),
  'POST /complaints/{id}/customer-answer': (req) => step(req, 'customer_answer'),
  'POST /complaints/{id}/publish': async (req) => {
    const {
      entity: _e,
      schemaVersion: _v,
      ...entry
    } = await publishToLibrary(
      complaintDeps(req.env),
      req.actor,
      req.params.id,
      req.body as Parameters<typeof publishToLibrary>[3],
    );
    return { status: 201, body: entry };
  },
  'GET /complaint-library': async (req) => ({
    status: 200,
    body: await searchLibrary(complaintDeps(req.env), req.query, pageOf(req.query)),
  }),
  'GET /complaint-settings': async (req) => ({
    status: 200,
    body: await readSettings(complaintDeps(req.env)),
  }),
  'POST /complaint-settings': async (req) => ({
    status: 200,
    body: await changeSettings(complaintDeps(req.env), req.actor, req.body ?? {}),
  }),
  'GET /tasks/supervisor-visits': async (req) => ({
    status: 200,
    body: await listOpenVisits(complaintDeps(req.env), pageOf(req.query)),
  }),
});
