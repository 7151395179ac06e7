/**
 * Who is calling. On AWS the API Gateway JWT authorizer has already verified the token and passes its
 * claims in `requestContext.authorizer.jwt.claims`; locally the dev server does the same check first.
 * Roles are Cognito groups (SPEC §2).
 */
import { UnauthorizedError } from '../errors.ts';

export const roles = [
  'customer',
  'agent',
  'dispatcher',
  'technician',
  'parts_clerk',
  'manager',
  'ops',
] as const;
export type Role = (typeof roles)[number];

export interface Actor {
  sub: string;
  roles: Role[];
  name?: string;
  email?: string;
}

/**
 * Service staff see every case; customers and technicians only their own. Parts clerks and ops read no
 * case records at all (their routes say so).
 */
export const staffRoles: readonly Role[] = ['agent', 'dispatcher', 'manager'];

/**
 * Reads groups from claims. API Gateway flattens array claims to a string like `[agent dispatcher]`
 * or `[agent, dispatcher]`; a locally decoded token carries a real array. Accept both.
 */
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function actorFromClaims(claims: Record<string, unknown> | undefined): Actor {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new UnauthorizedError('missing subject');
  const known = groupsOf(claims?.['cognito:groups']).filter((g): g is Role =>
    (roles as readonly string[]).includes(g),
  );
  const actor: Actor = { sub, roles: known };
  if (typeof claims?.name === 'string') actor.name = claims.name;
  if (typeof claims?.email === 'string') actor.email = claims.email;
  return actor;
}

export function hasRole(actor: Actor, allowed: readonly Role[]): boolean {
  return actor.roles.some((r) => allowed.includes(r));
}

/** The role recorded on timeline entries: the most senior the caller holds. */
export function primaryRole(actor: Actor): Role | 'none' {
  const order: Role[] = ['manager', 'dispatcher', 'agent', 'technician', 'parts_clerk', 'ops', 'customer'];
  return order.find((r) => actor.roles.includes(r)) ?? 'none';
}
