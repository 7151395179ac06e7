/**
 * Starts the investigation of each complaint raised (any channel, surveys included). The execution is
 * named after the complaint, so a redelivered event finds it started and does nothing.
 */
import { eventConsumer } from '../../shared/runtime/consumer-bundle.ts';
import { complaints } from './catalog.ts';
import { complaintStarterDeps } from './deps.ts';

export const handler = eventConsumer(complaints, 'complaints-workflow-start', {
  'Complaint Raised': async (detail, env) => {
    await complaintStarterDeps(env).workflow.start(detail.complaintId, {
      complaintId: detail.complaintId,
      round: 1,
      level: 1,
    });
  },
});
