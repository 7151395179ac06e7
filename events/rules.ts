/**
 * The shape of an EventBridge rule's pattern, as data. Each consumer declares its rules in its domain's
 * catalogue (`functions/<domain>/catalog.ts`); the CDK stacks deploy them and the local bus routes with the
 * very same patterns.
 */
export interface EventPattern {
  readonly source?: readonly string[];
  readonly 'detail-type'?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
}
