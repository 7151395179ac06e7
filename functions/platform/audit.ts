/**
 * Audit consumer: writes every domain event it is subscribed to into the structured log, where ops
 * dashboards and Logs Insights read activity. Failures are redelivered, then parked in the DLQ.
 */
import type { DetailType } from '../../events/registry.ts';
import { type ConsumerOperations, eventConsumer } from '../../shared/runtime/consumer-bundle.ts';
import { log } from '../../shared/runtime/observability.ts';
import { platform } from './catalog.ts';

const audited: DetailType[] = platform.functions.audit.trigger.rules.flatMap((r) => [
  ...(r.pattern['detail-type'] ?? []),
]);

const record = async (detail: unknown, _env: unknown, event: { id: string; 'detail-type': string }) => {
  log().info('domain event', { detailType: event['detail-type'], detail, eventId: event.id });
};

export const handler = eventConsumer(
  platform,
  'audit',
  Object.fromEntries(audited.map((t) => [t, record])) as unknown as ConsumerOperations<
    typeof platform,
    'audit'
  >,
);
