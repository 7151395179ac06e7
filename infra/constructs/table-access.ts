/**
 * Table permissions matching how the stores use the table (each `store.ts` under `shared/`): GetItem or Query on the
 * table and on the indexes `shared/store/table.ts` declares, writes in (transactional) puts and updates.
 * Narrower than `grantReadData`/`grantReadWriteData`: no Scan, no stream reads, no `index/*` wildcard.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { tableDefinition } from '../../shared/store/table.ts';

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
/**
 * TransactWriteItems is authorised per contained action, ConditionCheckItem included. No store deletes
 * or batch-writes (DynamoDB TTL removes what expires), so neither is granted.
 */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

const indexArns = (table: dynamodb.ITableV2) =>
  Object.keys(tableDefinition.indexes).map((name) => `${table.tableArn}/index/${name}`);

/** Reads: items by key on the table, queries on the table and its declared indexes. */
export function grantTableRead(table: dynamodb.ITableV2, grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...TABLE_READ_ACTIONS],
    resourceArns: [table.tableArn, ...indexArns(table)],
  });
}

/** Reads as {@link grantTableRead}, plus item writes on the table (indexes are maintained by DynamoDB). */
export function grantTableReadWrite(table: dynamodb.ITableV2, grantee: iam.IGrantable): iam.Grant {
  grantTableRead(table, grantee);
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...TABLE_WRITE_ACTIONS],
    resourceArns: [table.tableArn],
  });
}
