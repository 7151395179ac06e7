/** Query-string schema of the case list. */
import * as z from 'zod/mini';
import { caseStatuses } from '../../shared/cases/status.ts';
import { cursorParam, limitParam } from '../../shared/http/query.ts';
import { isoDate, lazySchema } from '../../shared/validation.ts';

export const listQuerySchema = lazySchema(() =>
  z.strictObject({
    status: z.optional(z.enum(caseStatuses)),
    customerId: z.optional(z.string().check(z.maxLength(128))),
    technicianId: z.optional(z.string().check(z.maxLength(128))),
    day: z.optional(isoDate()),
    limit: limitParam,
    cursor: cursorParam,
  }),
);
