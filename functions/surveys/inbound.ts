/**
 * Survey e-mail replies. SES receives mail for `survey+<token>@<domain>`, stores the raw message in
 * the inbound bucket, and S3 notifies this function, which reads the object and hands it to the same
 * recording code as the survey page. Locally `infra/local/surveys.ts` stores messages under
 * `.data/inbox/` and invokes this handler with the same event shape.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { SDK_RETRY } from '../../shared/store/client.ts';
import { handleSurveyReply, type ReplyOutcome } from '../../shared/surveys/replies.ts';
import { lazySchema } from '../../shared/validation.ts';
import { surveys } from './catalog.ts';
import { surveyJobDeps } from './deps.ts';

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

let s3: S3Client | undefined;

export const handler = jobHandler(surveys, 'survey-inbound', s3EventSchema, async (event, env) => {
  s3 ??= new S3Client({ ...SDK_RETRY });
  const outcomes: ReplyOutcome[] = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const raw = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
    outcomes.push(await handleSurveyReply(surveyJobDeps(env), { bucket, key, raw }));
  }
  return outcomes;
});
