/**
 * Stock alerts: each reorder or overstock crossing is told to the branch's parts clerks once (with a
 * purchase suggestion for a low item). Failures are redelivered by the queue, then parked in its DLQ;
 * the daily backstop (./jobs.ts) catches whatever was never told.
 */
import { notifyCrossing } from '../../shared/parts/alerts.ts';
import { eventConsumer } from '../../shared/runtime/consumer-bundle.ts';
import { parts } from './catalog.ts';
import { partsJobDeps } from './deps.ts';

export const handler = eventConsumer(parts, 'parts-alerts', {
  'Stock Level Crossed': async (detail, env) => {
    await notifyCrossing(partsJobDeps(env), detail.partNumber, detail.locationId);
  },
});
