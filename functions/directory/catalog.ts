/**
 * The directory domain (SPEC §12): branches, staff, customers and the installed base of product units.
 * Managers keep branches and staff; reception and customers register customers and units; every staff
 * role reads (ops read only); a customer reads and edits only their own record and units.
 */

import * as z from 'zod/mini';
import type { Role } from '../../shared/auth/actor.ts';
import { envSchema } from '../../shared/config/env.ts';
import {
  branchInputSchema,
  customerInputSchema,
  recordId,
  serialNumber,
  staffInputSchema,
  unitChangeSchema,
  unitInputSchema,
} from '../../shared/directory/model.ts';
import { cursorParam, limitParam, pageQuerySchema } from '../../shared/http/query.ts';
import { lazySchema, text } from '../../shared/validation.ts';
import { domainModule } from '../spec.ts';

/** Staff see the whole directory; ops only read it. */
const staffReaders: Role[] = ['agent', 'dispatcher', 'technician', 'parts_clerk', 'manager', 'ops'];
/**
 * Customer records and units (contact details): the customer's own, and the staff who serve customers.
 * Parts clerks and ops read no customer contact details.
 */
const customerReaders: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'manager'];
/** Who registers and edits customers and units: the customer (their own), reception, managers. */
const customerWriters: Role[] = ['customer', 'agent', 'manager'];

const idParams = { id: lazySchema(() => recordId()) };
const serialParams = { id: lazySchema(() => serialNumber()) };
const staffQuery = lazySchema(() =>
  z.strictObject({
    branchId: z.optional(recordId()),
    limit: limitParam,
    cursor: cursorParam,
  }),
);
const customerQuery = lazySchema(() =>
  z.strictObject({
    phone: z.optional(
      z.string().check(z.maxLength(32), z.regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'expected a phone number')),
    ),
    name: z.optional(text(100)),
    limit: limitParam,
    cursor: cursorParam,
  }),
);

export const directory = domainModule(
  'directory',
  {
    'directory-api': {
      entry: 'functions/directory/api.ts',
      description: 'Branches, staff, customers and product units',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      // Its change events leave through the table's outbox.
      access: { table: 'write' },
    },
  },
  {
    'GET /directory/branches': {
      fn: 'directory-api',
      summary: 'Every branch',
      roles: staffReaders,
      query: pageQuerySchema,
    },
    'GET /directory/branches/{id}': {
      fn: 'directory-api',
      summary: 'A branch',
      roles: staffReaders,
      params: idParams,
    },
    'POST /directory/branches/{id}': {
      fn: 'directory-api',
      summary: 'Create or replace a branch: name, timezone, service zones',
      roles: ['manager'],
      params: idParams,
      body: branchInputSchema,
    },
    'GET /directory/staff': {
      fn: 'directory-api',
      summary: "A branch's staff, by name (`?branchId=`, default the main branch)",
      roles: staffReaders,
      query: staffQuery,
    },
    'GET /directory/staff/{id}': {
      fn: 'directory-api',
      summary: 'A staff member',
      roles: staffReaders,
      params: idParams,
    },
    'POST /directory/staff/{id}': {
      fn: 'directory-api',
      summary:
        'Create or replace a staff member (id = identity-provider sub): branch, roles, skills, certificates, active',
      roles: ['manager'],
      params: idParams,
      body: staffInputSchema,
    },
    'GET /directory/customers': {
      fn: 'directory-api',
      summary: 'Find customers by exact phone (`?phone=`) or name prefix (`?name=`)',
      roles: customerReaders.filter((r) => r !== 'customer'),
      query: customerQuery,
    },
    'POST /directory/customers': {
      fn: 'directory-api',
      summary: 'Register a customer (customers register themselves)',
      roles: customerWriters,
      body: customerInputSchema,
    },
    'GET /directory/customers/{id}': {
      fn: 'directory-api',
      summary: 'A customer',
      roles: customerReaders,
      params: idParams,
    },
    'POST /directory/customers/{id}': {
      fn: 'directory-api',
      summary: "Replace a customer's details",
      roles: customerWriters,
      params: idParams,
      body: customerInputSchema,
    },
    'GET /directory/customers/{id}/units': {
      fn: 'directory-api',
      summary: "A customer's product units",
      roles: customerReaders,
      params: idParams,
      query: pageQuerySchema,
    },
    'POST /directory/units': {
      fn: 'directory-api',
      summary: 'Register a product unit (serial number unique)',
      roles: customerWriters,
      body: unitInputSchema,
    },
    'GET /directory/units/{id}': {
      fn: 'directory-api',
      summary: 'A product unit by serial number',
      roles: customerReaders,
      params: serialParams,
    },
    'POST /directory/units/{id}': {
      fn: 'directory-api',
      summary: "Change a unit's model, owner, dates or components",
      roles: customerWriters,
      params: serialParams,
      body: unitChangeSchema,
    },
  },
);
