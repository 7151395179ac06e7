/**
 * Every domain module, gathered. The CDK stacks, the bundler and the local runtime read the functions and
 * routes from here; each domain declares its own in `functions/<domain>/catalog.ts`.
 */
import { cases } from './cases/catalog.ts';
import { complaints } from './complaints/catalog.ts';
import { directory } from './directory/catalog.ts';
import { identity } from './identity/catalog.ts';
import { knowledge } from './knowledge/catalog.ts';
import { measures } from './measures/catalog.ts';
import { parts } from './parts/catalog.ts';
import { platform } from './platform/catalog.ts';
import { sla } from './sla/catalog.ts';
import { type FunctionSpec, type RouteKey, type RouteSpec, splitRouteKey } from './spec.ts';
import { surveys } from './surveys/catalog.ts';
import { warranty } from './warranty/catalog.ts';

export const modules = [
  platform,
  cases,
  sla,
  surveys,
  complaints,
  directory,
  knowledge,
  measures,
  parts,
  warranty,
  identity,
] as const;

type Module = (typeof modules)[number];
/** Catalogue id of any function (one id space: asset folders and construct ids). */
export type FunctionId = { [M in Module as M['name']]: keyof M['functions'] & string }[Module['name']];

/** Every function by id, with its domain. */
export const allFunctions = {} as Record<FunctionId, FunctionSpec & { domain: string }>;
for (const m of modules) {
  for (const [id, spec] of Object.entries(m.functions) as [FunctionId, FunctionSpec][]) {
    if (id in allFunctions) throw new Error(`function id ${id} is declared twice (${m.name})`);
    allFunctions[id] = { ...spec, domain: m.name };
  }
}

/** A route with its key, method, path and domain. */
export interface CatalogRoute extends RouteSpec<FunctionId> {
  key: RouteKey;
  method: ReturnType<typeof splitRouteKey>['method'];
  path: string;
  domain: string;
}

export const allRoutes: CatalogRoute[] = modules.flatMap((m) =>
  (Object.entries(m.routes) as [RouteKey, RouteSpec<FunctionId>][]).map(([key, spec]) => ({
    ...spec,
    key,
    ...splitRouteKey(key),
    domain: m.name,
  })),
);

/** Functions of one trigger kind. */
export function functionsTriggeredBy<K extends FunctionSpec['trigger']['kind']>(kind: K) {
  return (Object.entries(allFunctions) as [FunctionId, FunctionSpec & { domain: string }][]).filter(
    ([, spec]) => spec.trigger.kind === kind,
  ) as [
    FunctionId,
    FunctionSpec & { domain: string; trigger: Extract<FunctionSpec['trigger'], { kind: K }> },
  ][];
}

/** Every event rule, with the function it delivers to. */
export const allEventRules = functionsTriggeredBy('events').flatMap(([target, spec]) =>
  spec.trigger.rules.map((rule) => ({ ...rule, target })),
);

/** Stage throttling (requests per second, burst), the same on API Gateway and the local server. */
export const THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/**
 * Throttling of each public route (`roles: 'public'`), on top of the stage's: anonymous traffic gets a
 * budget of its own and cannot use up the staff's.
 */
export const PUBLIC_ROUTE_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;
