import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../shared/store/table.ts';

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/** The stream view the definition asks for, if any (the transactional outbox reads new images). */
const streamView = (tableDefinition as { stream?: keyof typeof dynamodb.StreamViewType }).stream;

/**
 * Data that outlives every deployment: the single table, built from `shared/store/table.ts` (the same
 * definition DynamoDB Local gets) — keys, indexes, TTL and stream — retained, protected from deletion
 * and continuously backed up.
 */
export class DataStack extends Stack {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: stringKey(tableDefinition.partitionKey),
      sortKey: stringKey(tableDefinition.sortKey),
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      ...(streamView ? { dynamoStream: dynamodb.StreamViewType[streamView] } : {}),
      globalSecondaryIndexes: Object.entries(tableDefinition.indexes).map(([indexName, ix]) => ({
        indexName,
        partitionKey: stringKey(ix.partitionKey),
        sortKey: stringKey(ix.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
