/** The surveys domain (SPEC §7): next-day cards, the public survey page, e-mail replies, scorecards. */
import * as z from 'zod/mini';
import { envSchema } from '../../shared/config/env.ts';
import { monthSchema, pageQuerySchema } from '../../shared/http/query.ts';
import { SURVEY_COMMENT_MAX_LENGTH } from '../../shared/surveys/page.ts';
import { SURVEY_ITEMS } from '../../shared/surveys/score.ts';
import { lazySchema } from '../../shared/validation.ts';
import { domainModule } from '../spec.ts';

/** Where SES receiving stores survey replies in the inbound bucket; the inbound function reads only there. */
export const SURVEY_REPLY_PREFIX = 'survey-replies/';

/**
 * A survey link's token. Its signature is checked by the page; this only keeps what cannot be a token
 * (too long, other characters) from going further. A well-formed but unknown token gets the page that
 * says the link is not valid (404).
 */
const tokenParams = {
  token: lazySchema(() =>
    z.string().check(z.maxLength(64), z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a survey link token')),
  ),
};
/** The page's query: its language, and the level a one-click link from the card preselects. Others are ignored (mail scanners add their own). */
const pageQuery = lazySchema(() =>
  z.object({
    lang: z.optional(z.string().check(z.maxLength(16))),
    level: z.optional(z.string().check(z.maxLength(1))),
  }),
);
const level = () => z.enum(['1', '2', '3', '4']);
/** The form the page posts (the page validates it and answers with the form and its errors). */
const answerForm = lazySchema(() =>
  z.object({
    ...Object.fromEntries(SURVEY_ITEMS.map((item) => [item, level()])),
    comment: z.optional(z.string().check(z.maxLength(SURVEY_COMMENT_MAX_LENGTH))),
    complaint: z.optional(z.literal('yes')),
  }),
);

/** The survey jobs sign links and send or read mail. */
const jobEnv = lazySchema(() =>
  envSchema(
    'TABLE_NAME',
    'SURVEY_TOKEN_SECRET_ARN',
    'PUBLIC_BASE_URL',
    'MAIL_FROM',
    'SURVEY_REPLY_DOMAIN',
    'SES_CONFIGURATION_SET',
  ),
);

export const surveys = domainModule(
  'surveys',
  {
    'survey-page': {
      entry: 'functions/surveys/page.ts',
      description: 'Public survey page: shows the card form for a signed link and records the answer once',
      env: envSchema('TABLE_NAME', 'SURVEY_TOKEN_SECRET_ARN'),
      trigger: { kind: 'http' },
      access: { table: 'write', surveyKey: 'use' },
    },
    'survey-staff': {
      entry: 'functions/surveys/staff.ts',
      description: 'Survey scorecards, phone follow-ups and flagged replies',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      access: { table: 'read' },
    },
    'survey-dispatch': {
      entry: 'functions/surveys/dispatch.ts',
      description: "Morning survey run: cards for yesterday's completed cases, phone follow-ups, reminders",
      env: jobEnv,
      trigger: {
        kind: 'schedule',
        schedules: [
          {
            name: 'survey-morning-run',
            description: 'Survey cards for yesterday, phone follow-ups and reminders',
            expression: 'cron(0 9 * * ? *)',
            input: {},
          },
        ],
      },
      access: { table: 'write', mail: 'send', surveyKey: 'use' },
      timeoutSeconds: 300,
    },
    'survey-inbound': {
      entry: 'functions/surveys/inbound.ts',
      description: 'Reads survey e-mail replies stored by SES in S3 and records their answers',
      env: jobEnv,
      trigger: { kind: 'inbound-mail', prefix: SURVEY_REPLY_PREFIX },
      access: { table: 'write', inboundMail: 'read', surveyKey: 'use' },
      timeoutSeconds: 60,
    },
  },
  {
    'GET /survey/{token}': {
      fn: 'survey-page',
      summary: 'Survey page of a signed card link (HTML, no login)',
      description:
        'Shows the card form; nothing is recorded on a GET. Unknown or forged links answer 404, ' +
        'expired ones 410, answered cards 409 — each as a page.',
      roles: 'public',
      params: tokenParams,
      query: pageQuery,
      html: true,
      errors: [404, 409, 410],
    },
    'POST /survey/{token}': {
      fn: 'survey-page',
      summary: 'Answer a survey card once (HTML form post)',
      description: 'Records the answer once; an incomplete form comes back with its errors (400).',
      roles: 'public',
      params: tokenParams,
      query: pageQuery,
      form: answerForm,
      html: true,
      errors: [404, 409, 410],
    },
    'GET /surveys/scorecard/{month}': {
      fn: 'survey-staff',
      summary: 'Technician scorecards of a month and the company average vs the 4.5 target',
      roles: ['manager', 'ops'],
      params: { month: monthSchema },
      query: lazySchema(() =>
        z.strictObject({
          technicianId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
        }),
      ),
    },
    'GET /surveys/phone-follow-ups': {
      fn: 'survey-staff',
      summary: 'Served customers without e-mail, to survey by phone',
      roles: ['agent', 'dispatcher', 'manager'],
      query: pageQuerySchema,
    },
    'GET /surveys/flagged-replies': {
      fn: 'survey-staff',
      summary: 'Survey e-mail replies a person must read',
      roles: ['agent', 'dispatcher', 'manager'],
      query: pageQuerySchema,
    },
  },
);
