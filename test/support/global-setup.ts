/**
 * One DynamoDB Local engine for the whole test run (the real engine, in memory); every test file
 * creates its own table on it, so files stay isolated and can run in parallel.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../infra/local/dynamo.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const engine = await startDynamoLocal();
  project.provide('dynamoEndpoint', engine.endpoint);
  return async () => {
    await engine.stop();
  };
}
