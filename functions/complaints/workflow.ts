/**
 * The task function of the complaint investigation state machine: every Task state invokes it with
 * its action (`workflows/complaint-investigation.asl.json`). Throws on failure: the state's retries apply.
 */
import * as z from 'zod/mini';
import { runWorkflowTask } from '../../shared/complaints/investigation.ts';
import { stepKinds } from '../../shared/complaints/model.ts';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { lazySchema } from '../../shared/validation.ts';
import { complaints } from './catalog.ts';
import { complaintTaskDeps } from './deps.ts';

const ref = { complaintId: z.string(), round: z.int() };
const taskSchema = lazySchema(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('acknowledge'), ...ref }),
    z.object({
      action: z.literal('open-step'),
      ...ref,
      step: z.enum(stepKinds),
      level: z.int(),
      taskToken: z.string().check(z.minLength(1), z.maxLength(2048)),
    }),
    z.object({ action: z.literal('reopen'), ...ref }),
    z.object({ action: z.literal('close'), ...ref }),
  ]),
);

export const handler = jobHandler(
  complaints,
  'complaints-workflow',
  taskSchema,
  (task, env) => runWorkflowTask(complaintTaskDeps(env), task),
  // The result never carries personal data, but the token is a credential: keep it out of the logs.
  { logged: (r) => ({ ...r }) },
);
