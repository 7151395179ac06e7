/**
 * Staff work lists (phone follow-ups, flagged replies, open complaints, supervisor visits): each is who
 * may read it and which store list it pages through, declared once with {@link staffList}.
 */
import { type Actor, type Role, requireRole } from './auth/actor.ts';
import type { Page, PageQuery } from './store/pagination.ts';

/** A list operation: the role check, then one page of `read`. */
export function staffList<D, T>(
  roles: readonly Role[],
  read: (deps: D, q: PageQuery) => Promise<Page<T>>,
): (deps: D, actor: Actor, q: PageQuery) => Promise<Page<T>> {
  return async (deps, actor, q) => {
    requireRole(actor, roles);
    return read(deps, q);
  };
}
