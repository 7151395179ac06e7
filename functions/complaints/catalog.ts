/** The complaints domain (SPEC §7–8): complaints raised on any channel and the supervisor visits they need. */
import { envSchema } from '../../shared/config/env.ts';
import { pageQuerySchema } from '../../shared/http/query.ts';
import { domainModule } from '../spec.ts';

export const complaints = domainModule(
  'complaints',
  {
    'complaints-api': {
      entry: 'functions/complaints/api.ts',
      description: 'Open complaints and the supervisor visits to complaining customers',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      access: { table: 'read' },
    },
  },
  {
    'GET /complaints': {
      fn: 'complaints-api',
      summary: 'Open complaints',
      roles: ['agent', 'dispatcher', 'manager'],
      query: pageQuerySchema,
    },
    'GET /tasks/supervisor-visits': {
      fn: 'complaints-api',
      summary: 'Open supervisor visits to complaining customers',
      roles: ['dispatcher', 'manager'],
      query: pageQuerySchema,
    },
  },
);
