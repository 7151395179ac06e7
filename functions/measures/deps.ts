/** Wiring of the measures functions: the store built once per execution environment. */
import type { MeasureDeps } from '../../shared/measures/service.ts';
import { DynamoMeasureStore } from '../../shared/measures/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { metricsOf } from '../../shared/runtime/observability.ts';
import { documentClient } from '../../shared/store/client.ts';

let deps: MeasureDeps | undefined;

export function measureDeps(env: { TABLE_NAME: string; TIME_ZONE: string }): MeasureDeps {
  deps ??= {
    store: new DynamoMeasureStore(documentClient(), env.TABLE_NAME),
    now,
    timeZone: env.TIME_ZONE,
    metric: (name, value) => metricsOf().addMetric(name, 'Count', value),
  };
  return deps;
}
