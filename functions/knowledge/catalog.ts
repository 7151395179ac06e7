/**
 * The knowledge domain (SPEC §9, §3 triage): troubleshooting entries per product line, their search and
 * suggestions at intake, the diagnosis wizard, feedback and the self-service measures. Two functions:
 * search (the in-memory index, kept lean for its cold start) and everything else.
 */
import * as z from 'zod/mini';
import { envSchema } from '../../shared/config/env.ts';
import { cursorParam, limitParam, pageQuerySchema } from '../../shared/http/query.ts';
import {
  audiences,
  entryChangeSchema,
  entryCode,
  entryInputSchema,
  entryStatuses,
  feedbackInputSchema,
  languages,
  productLine,
} from '../../shared/knowledge/model.ts';
import {
  knowledgeAuthors,
  knowledgeMeasureReaders,
  knowledgeReaders,
} from '../../shared/knowledge/service.ts';
import { isoDate, lazySchema, text } from '../../shared/validation.ts';
import { domainModule } from '../spec.ts';

const entryParams = { productLine: lazySchema(() => productLine()), code: lazySchema(() => entryCode()) };
const env = envSchema('TABLE_NAME');

const searchQuery = lazySchema(() =>
  z.strictObject({
    q: text(200),
    productLine: z.optional(productLine()),
    audience: z.optional(z.enum(audiences)),
    language: z.optional(z.enum(languages)),
    limit: limitParam,
  }),
);
const suggestionQuery = lazySchema(() =>
  z.strictObject({
    symptoms: text(1000),
    productLine: productLine(),
    language: z.optional(z.enum(languages)),
    limit: limitParam,
  }),
);
const listQuery = lazySchema(() =>
  z.strictObject({
    status: z._default(z.enum(entryStatuses), 'published'),
    limit: limitParam,
    cursor: cursorParam,
  }),
);
const wizardQuery = lazySchema(() =>
  z.strictObject({
    answers: z.optional(
      z
        .string()
        .check(
          z.maxLength(400),
          z.regex(
            /^[a-z0-9][a-z0-9-]{0,31}(,[a-z0-9][a-z0-9-]{0,31}){0,29}$/,
            'expected answer ids separated by commas',
          ),
        ),
    ),
  }),
);

export const knowledge = domainModule(
  'knowledge',
  {
    'knowledge-search': {
      entry: 'functions/knowledge/search.ts',
      description:
        'Searches the published knowledge entries (in-memory index) and suggests entries at intake',
      env,
      trigger: { kind: 'http' },
      // Counts searches for the self-service measures.
      access: { table: 'write' },
    },
    'knowledge-api': {
      entry: 'functions/knowledge/api.ts',
      description: 'Knowledge entries: authoring, exact lookup, history, feedback, wizard, measures',
      env,
      trigger: { kind: 'http' },
      access: { table: 'write' },
    },
  },
  {
    'GET /knowledge/search': {
      fn: 'knowledge-search',
      summary:
        'Search published entries (`?q=`, filters `productLine`, `audience`, `language`); customers get public entries only',
      roles: knowledgeReaders,
      query: searchQuery,
    },
    'GET /knowledge/suggestions': {
      fn: 'knowledge-search',
      summary: 'The entries to suggest while a request is written: its symptoms on its product line',
      roles: knowledgeReaders,
      query: suggestionQuery,
    },
    'GET /knowledge/entries': {
      fn: 'knowledge-api',
      summary: 'Entries by status (authors: drafts, published, archived)',
      roles: knowledgeAuthors,
      query: listQuery,
    },
    'POST /knowledge/entries': {
      fn: 'knowledge-api',
      summary: 'Write a new entry (its first product line is its home; the code is unique on each line)',
      roles: knowledgeAuthors,
      body: entryInputSchema,
      success: [201],
      errors: [409],
      etag: true,
    },
    'GET /knowledge/entries/{productLine}/{code}': {
      fn: 'knowledge-api',
      summary: 'An entry by its exact code on a product line (counts a view)',
      roles: knowledgeReaders,
      params: entryParams,
      errors: [404],
      etag: true,
    },
    'POST /knowledge/entries/{productLine}/{code}': {
      fn: 'knowledge-api',
      summary: 'The next version of an entry: edit, publish, archive',
      roles: knowledgeAuthors,
      params: entryParams,
      body: entryChangeSchema,
      errors: [404, 409],
      ifMatch: true,
    },
    'GET /knowledge/entries/{productLine}/{code}/history': {
      fn: 'knowledge-api',
      summary: 'Every version of an entry: who, when, what it became',
      roles: knowledgeAuthors,
      params: entryParams,
      query: pageQuerySchema,
      errors: [404],
    },
    'POST /knowledge/entries/{productLine}/{code}/feedback': {
      fn: 'knowledge-api',
      summary: 'Say whether the entry helped',
      roles: knowledgeReaders,
      params: entryParams,
      body: feedbackInputSchema,
      errors: [404],
    },
    'GET /knowledge/entries/{productLine}/{code}/wizard': {
      fn: 'knowledge-api',
      summary: "Walk the entry's diagnosis wizard: `?answers=` the answer ids so far, in order",
      roles: knowledgeReaders,
      params: entryParams,
      query: wizardQuery,
      errors: [404, 409],
    },
    'GET /knowledge/measures/{day}': {
      fn: 'knowledge-api',
      summary: 'Knowledge measures of a day: most used entries, self-service deflection',
      roles: knowledgeMeasureReaders,
      params: { day: lazySchema(() => isoDate()) },
      query: lazySchema(() => z.strictObject({ limit: limitParam })),
    },
  },
);
