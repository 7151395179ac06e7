/** The surveys domain (SPEC §7): next-day cards, the public survey page, e-mail replies, scorecards. */
import { envSchema } from '../../shared/config/env.ts';
import { domainModule } from '../spec.ts';

/** Where SES receiving stores survey replies in the inbound bucket; the inbound function reads only there. */
export const SURVEY_REPLY_PREFIX = 'survey-replies/';

/** The survey jobs sign links and send or read mail. */
const jobEnv = envSchema(
  'TABLE_NAME',
  'SURVEY_TOKEN_SECRET_ARN',
  'PUBLIC_BASE_URL',
  'MAIL_FROM',
  'SURVEY_REPLY_DOMAIN',
  'SES_CONFIGURATION_SET',
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
      roles: 'public',
    },
    'POST /survey/{token}': {
      fn: 'survey-page',
      summary: 'Answer a survey card once (HTML form post)',
      roles: 'public',
    },
    'GET /surveys/scorecard/{month}': {
      fn: 'survey-staff',
      summary: 'Technician scorecards of a month and the company average vs the 4.5 target',
      roles: ['manager', 'ops'],
    },
    'GET /surveys/phone-follow-ups': {
      fn: 'survey-staff',
      summary: 'Served customers without e-mail, to survey by phone',
      roles: ['agent', 'dispatcher', 'manager'],
    },
    'GET /surveys/flagged-replies': {
      fn: 'survey-staff',
      summary: 'Survey e-mail replies a person must read',
      roles: ['agent', 'dispatcher', 'manager'],
    },
  },
);
