/**
 * Building blocks of the documented response schemas: every string bounded, every list capped, every
 * whole number ranged, so the OpenAPI document says what a client may have to hold.
 */
import * as z from 'zod/mini';

/** Text of at most `max` characters. */
export const str = (max: number) => z.string().check(z.maxLength(max));
/** An instant as the API writes it (`toISOString`). */
export const instant = () => z.iso.datetime().check(z.maxLength(30));
/** A local date `YYYY-MM-DD`. */
export const day = () => z.iso.date().check(z.maxLength(10));
/** A whole number 0…max. */
export const count = (max = 1_000_000_000) => z.int().check(z.minimum(0), z.maximum(max));
/** A list of at most `max` items. */
export const list = <T extends z.ZodMiniType>(item: T, max: number) => z.array(item).check(z.maxLength(max));
/** Who did something: the caller's id and the role recorded for it. */
export const idRef = () => str(128);

/** Longest page a list answers (`?limit=` is 1–100). */
export const MAX_PAGE = 100;

/** One page of a list: the items and, when there are more, the cursor of the next page. */
export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: list(item, MAX_PAGE), nextCursor: z.optional(str(2048)) });

const names = new Map<z.ZodMiniType, string>();

/** Names a schema: the OpenAPI document lists it once under `components.schemas` and refers to it. */
export function named<T extends z.ZodMiniType>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}

/** The name given to a schema by {@link named}, if any. */
export const nameOf = (schema: z.ZodMiniType): string | undefined => names.get(schema);
