/** `/reports`: KPIs, trends, faults and daily reports from the aggregates (rules in shared/measures/). */

import { ValidationError } from '../../shared/errors.ts';
import type { HttpRequest, HttpResult } from '../../shared/http/bundle.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import {
  branchDailyReport,
  faultReport,
  granularityOf,
  headquartersDailyReport,
  kpiReport,
  kpiRows,
  ownTechnician,
  submitNote,
  technicianDailyReport,
  toCsv,
  trendReport,
} from '../../shared/measures/service.ts';
import { measures } from './catalog.ts';
import { measureDeps } from './deps.ts';

/** CSV when `?format=csv`, or when the client asks for `text/csv` and no `format` says otherwise. */
function wantsCsv(req: HttpRequest<unknown, unknown, { format?: 'json' | 'csv' | undefined }>): boolean {
  if (req.query.format) return req.query.format === 'csv';
  return (req.headers.accept ?? '').toLowerCase().includes('text/csv');
}

function answer<T>(
  req: HttpRequest<unknown, unknown, { format?: 'json' | 'csv' | undefined }>,
  body: T,
  rows: (body: T) => ReadonlyArray<Record<string, unknown>>,
): HttpResult {
  if (!wantsCsv(req)) return { status: 200, body };
  return { status: 200, text: { contentType: 'text/csv; charset=utf-8', body: toCsv(rows(body)) } };
}

export const handler = httpRoutes(measures, 'measures-api', {
  'GET /reports/kpis': async (req) => {
    const { period, branchId } = req.query;
    const report = await kpiReport(measureDeps(req.env), { period, ...(branchId ? { branchId } : {}) });
    return answer(req, report, (r) => kpiRows(r.kpis).map((k) => ({ period: r.period, ...k })));
  },
  'GET /reports/trends': async (req) => {
    const { period, branchId } = req.query;
    if (granularityOf(period) === 'day')
      throw new ValidationError([
        { field: 'query.period', message: 'expected a month YYYY-MM (days) or a year YYYY (months)' },
      ]);
    const report = await trendReport(measureDeps(req.env), { period, ...(branchId ? { branchId } : {}) });
    return answer(req, report, (r) => r.points);
  },
  'GET /reports/faults/{month}': async (req) => {
    const { branchId, limit } = req.query;
    const report = await faultReport(measureDeps(req.env), {
      month: req.params.month,
      limit: limit ?? 10,
      ...(branchId ? { branchId } : {}),
    });
    return answer(req, report, (r) => r.faults.map((f) => ({ month: r.month, ...f })));
  },
  'GET /reports/technicians/{id}/daily/{day}': async (req) => {
    const id = ownTechnician(req.actor, req.params.id);
    const report = await technicianDailyReport(measureDeps(req.env), id, req.params.day);
    return answer(req, report, (r) => [
      {
        technicianId: r.technicianId,
        day: r.day,
        jobs: r.jobs,
        ...Object.fromEntries(Object.entries(r.jobsByCategory).map(([c, v]) => [`category${c}`, v])),
        minutes: r.minutes,
        visits: r.visits,
        partsUsed: r.partsUsed,
        note: r.note,
      },
    ]);
  },
  'POST /reports/technicians/{id}/daily/{day}/note': async (req) => {
    const id = ownTechnician({ sub: req.actor.sub, roles: [] }, req.params.id);
    const { note } = req.body as { note: string };
    return { status: 200, body: await submitNote(measureDeps(req.env), id, req.params.day, note) };
  },
  'GET /reports/branches/{id}/daily/{day}': async (req) => {
    const report = await branchDailyReport(measureDeps(req.env), req.params.id, req.params.day);
    return answer(req, report, (r) =>
      r.technicians.map((t) => ({
        branchId: r.branchId,
        day: r.day,
        technicianId: t.technicianId,
        jobs: t.jobs,
        ...Object.fromEntries(Object.entries(t.jobsByCategory).map(([c, v]) => [`category${c}`, v])),
        minutes: t.minutes,
        visits: t.visits,
        partsUsed: t.partsUsed,
        note: t.note,
      })),
    );
  },
  'GET /reports/headquarters/daily/{day}': async (req) => {
    const report = await headquartersDailyReport(measureDeps(req.env), req.params.day);
    return answer(req, report, (r) =>
      r.branches.map((b) => ({
        day: r.day,
        branchId: b.branchId,
        ...b.counts,
        ...Object.fromEntries(b.kpis.map((k) => [k.id, k.value])),
      })),
    );
  },
});
