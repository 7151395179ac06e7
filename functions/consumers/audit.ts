/**
 * Audit consumer: writes every case event to the structured log, where ops dashboards and Logs Insights
 * read activity. Failures are thrown, so EventBridge retries and then parks the event in the DLQ.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';

const logger = new Logger();

export async function handler(event: EventBridgeEvent<string, Record<string, unknown>>): Promise<void> {
  logger.info('case event', { detailType: event['detail-type'], detail: event.detail, eventId: event.id });
}
