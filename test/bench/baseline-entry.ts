/** Cold-start baseline: a function holding only the DynamoDB client, created at init as usual. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(event: { key: { pk: string; sk: string } }) {
  return db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: event.key }));
}
