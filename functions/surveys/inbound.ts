/**
 * Survey e-mail replies. SES receives mail for `survey+<token>@<domain>`, stores the raw message in
 * the inbound bucket, and S3 notifies this function, which reads the object and hands it to the same
 * recording code as the survey page. Locally `infra/local/surveys.ts` stores messages under
 * `.data/inbox/` and invokes this handler with the same event shape.
 */
import * as z from 'zod/mini';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { type S3ObjectReader, s3ObjectReader } from '../../shared/runtime/s3-object.ts';
import { handleSurveyReply, type ReplyOutcome } from '../../shared/surveys/replies.ts';
import { lazySchema } from '../../shared/validation.ts';
import { surveys } from './catalog.ts';
import { surveyAnswerDeps } from './deps.ts';

/** The part of an S3 notification the function reads. */
const s3EventSchema = lazySchema(() =>
  z.object({
    Records: z.array(
      z.object({
        s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
      }),
    ),
  }),
);

let readObject: S3ObjectReader | undefined;

export const handler = jobHandler(surveys, 'survey-inbound', s3EventSchema, async (event, env) => {
  readObject ??= s3ObjectReader();
  const outcomes: ReplyOutcome[] = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const raw = await readObject(bucket, key);
    outcomes.push(await handleSurveyReply(surveyAnswerDeps(env), { bucket, key, raw }));
  }
  return outcomes;
});
