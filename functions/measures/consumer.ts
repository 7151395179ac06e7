/** Adds each domain event to the daily aggregates once (rules in shared/measures/contributions.ts). */
import { measureRules } from '../../shared/measures/contributions.ts';
import { applyEvent } from '../../shared/measures/service.ts';
import { eventConsumer } from '../../shared/runtime/consumer-bundle.ts';
import { measures } from './catalog.ts';
import { measureDeps } from './deps.ts';

type Measured = keyof typeof measureRules;

/** One operation per detail-type of the rules table, all the same: apply the event. */
const operations = Object.fromEntries(
  (Object.keys(measureRules) as Measured[]).map((type) => [
    type,
    async (detail: never, env: { TABLE_NAME: string; TIME_ZONE: string }) => {
      await applyEvent(measureDeps(env), type, detail);
    },
  ]),
) as unknown as Parameters<typeof eventConsumer<typeof measures, 'measures-consumer'>>[2];

export const handler = eventConsumer(measures, 'measures-consumer', operations);
