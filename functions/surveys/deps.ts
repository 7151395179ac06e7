/**
 * Wiring of the survey functions: stores and mailer built once per execution environment from the
 * validated environment. Domain events go out through the table's outbox, not from here.
 */
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoComplaintStore } from '../../shared/complaints/store.ts';
import { type SecretSource, secretsManagerSource } from '../../shared/config/secrets.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { DynamoMeasureStore } from '../../shared/measures/store.ts';
import { SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';
import type {
  SurveyDeps,
  SurveyDispatchDeps,
  SurveyStaffDeps,
  SurveyTokenDeps,
} from '../../shared/surveys/service.ts';
import { DynamoSurveyStore } from '../../shared/surveys/store.ts';

interface BaseEnv {
  TABLE_NAME: string;
  TIME_ZONE: string;
}

function base(env: BaseEnv): SurveyDeps {
  const db = documentClient();
  return {
    surveys: new DynamoSurveyStore(db, env.TABLE_NAME),
    complaints: new DynamoComplaintStore(db, env.TABLE_NAME),
    now,
    timeZone: env.TIME_ZONE,
  };
}

let keySource: SecretSource | undefined;
/** The link keys, read from Secrets Manager at the first call and cached (`shared/config/secrets.ts`). */
function linkKeys(env: { SURVEY_TOKEN_SECRET_ARN: string }) {
  keySource ??= secretsManagerSource(env.SURVEY_TOKEN_SECRET_ARN);
  const source = keySource;
  return () => source.versions();
}

let staff: SurveyStaffDeps | undefined;
/** Staff reads (scorecards from the measures' aggregates, follow-up lists). */
export function surveyStaffDeps(env: BaseEnv): SurveyStaffDeps {
  staff ??= { ...base(env), aggregates: new DynamoMeasureStore(documentClient(), env.TABLE_NAME) };
  return staff;
}

let answers: SurveyTokenDeps | undefined;
/** The public page and the e-mail replies: verify links, record answers (nothing else is loaded). */
export function surveyAnswerDeps(env: BaseEnv & { SURVEY_TOKEN_SECRET_ARN: string }): SurveyTokenDeps {
  answers ??= { ...base(env), keys: linkKeys(env) };
  return answers;
}

let job: SurveyDispatchDeps | undefined;
/** The morning run. */
export function surveyJobDeps(
  env: BaseEnv & {
    SURVEY_TOKEN_SECRET_ARN: string;
    PUBLIC_BASE_URL: string;
    MAIL_FROM: string;
    SURVEY_REPLY_DOMAIN: string;
    SES_CONFIGURATION_SET: string;
  },
): SurveyDispatchDeps {
  job ??= {
    ...base(env),
    keys: linkKeys(env),
    cases: new DynamoCaseStore(documentClient(), env.TABLE_NAME, env.TIME_ZONE),
    customers: new DynamoDirectoryStore(documentClient(), env.TABLE_NAME),
    mailer: new SesMailer(sesClient, { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
    publicBaseUrl: env.PUBLIC_BASE_URL,
    replyDomain: env.SURVEY_REPLY_DOMAIN,
  };
  return job;
}
