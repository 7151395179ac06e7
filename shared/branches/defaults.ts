/**
 * What a branch is until it is configured: the company works in China, from one main branch. Every
 * default time zone and branch id comes from here.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../validation.ts';

/** IANA zone of calendars, local days and numbers when a branch sets none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The branch of a request registered without one. */
export const DEFAULT_BRANCH_ID = 'main';

/** A branch id as it appears in paths, queries and intake. */
export const branchIdSchema = lazySchema(() =>
  z
    .string()
    .check(
      z.maxLength(64),
      z.regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'expected a branch id: 1–64 letters, digits or _.:@-'),
    ),
);
