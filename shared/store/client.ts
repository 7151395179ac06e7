/**
 * The DynamoDB document client, created once per execution environment. Endpoint and credentials come
 * from the standard SDK settings (`AWS_ENDPOINT_URL_DYNAMODB` points it at DynamoDB Local), so the
 * same code runs on AWS and locally.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return client;
}
