/**
 * One configured Powertools Logger and Metrics (EMF) per execution environment, shared by every
 * middleware bundle. Created on first use, not at import, so the log level a test or the local runtime
 * sets before the first invocation is the one honoured.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

let logger: Logger | undefined;
let metrics: Metrics | undefined;

export function log(): Logger {
  logger ??= new Logger();
  return logger;
}

export function metricsOf(): Metrics {
  metrics ??= new Metrics({ namespace: 'Aftercare' });
  return metrics;
}

/** Starts an invocation: the function's keys on every log line, the cold-start metric once. */
export function beginInvocation(keys: Record<string, string>): void {
  const l = log();
  l.resetKeys();
  l.appendKeys(keys);
  metricsOf().captureColdStartMetric();
}

/** Ends an invocation: metrics recorded during it are flushed as one EMF line. */
export function endInvocation(): void {
  const m = metricsOf();
  if (m.hasStoredMetrics()) m.publishStoredMetrics();
}
