/**
 * Counts every DynamoDB call the system's functions make while it runs (the document client's `send`;
 * nothing else must run meanwhile: let the bus go idle first), and the items they get back.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function countApiReads() {
  const proto = DynamoDBDocumentClient.prototype as unknown as {
    send: (...a: unknown[]) => Promise<unknown>;
  };
  const original = proto.send;
  const calls: Record<string, number> = {};
  let itemsRead = 0;
  proto.send = async function (this: unknown, ...args: unknown[]) {
    const out = (await original.apply(this, args)) as { Items?: unknown[]; Item?: unknown };
    const name = (args[0] as object).constructor.name;
    calls[name] = (calls[name] ?? 0) + 1;
    itemsRead += out?.Items?.length ?? (out?.Item ? 1 : 0);
    return out;
  };
  return {
    stop() {
      proto.send = original;
      return { calls, itemsRead };
    },
  };
}
