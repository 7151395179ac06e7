/**
 * Step Functions on one machine: each catalogue workflow's ASL file, the very file CDK deploys, executed
 * by `aws-local-stepfunctions` with the same substitutions (its task placeholder → the local task
 * function). The unchanged SDK client (`AWS_ENDPOINT_URL_SFN`) calls `StartExecution`, `SendTaskSuccess`,
 * `SendTaskFailure` and `SendTaskHeartbeat` here (AWS JSON 1.0 under `/_aws`).
 *
 * Task states run the task function in-process. A `.waitForTaskToken` state gets a fresh token (the
 * engine has no per-state context object), which is passed as `$$.Task.Token` in the payload; the state
 * then waits until the API answers that token.
 *
 * Durability: running executions are items of the runtime table (`EXECUTION#<name>`, listed under
 * `EXECUTIONS` while running). On start every running execution is replayed from its input: the tasks
 * are idempotent and a human step completed already answers its own task, so a replay walks through the
 * stored history and waits again at the step that is still open, under a new token stored on the step
 * item. Deadlines are Scheduler timers, kept in the same table: they keep running across restarts.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { functionsTriggeredBy } from '../../functions/catalog.ts';
import { now } from '../../shared/runtime/clock.ts';
import { repoRoot } from '../bundle.ts';
import { AWS_EDGE_PREFIX } from './aws-edge.ts';
import { localClientConfig } from './dynamo.ts';
import { VISIBLE_INDEX } from './queues.ts';
import type { SideRoute } from './server.ts';

const RUNNING = 'EXECUTIONS';
const executionKey = (name: string) => ({ pk: `EXECUTION#${name}`, sk: 'EXECUTION' });
const WAIT_FOR_TOKEN = '.waitForTaskToken';

/** An error the SDK client maps to its exception class by name. */
export class StatesError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Machine {
  arn: string;
  definition: Record<string, unknown>;
}

interface StoredExecution {
  name: string;
  stateMachineArn: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startDate: string;
}

export interface LocalStepFunctionsOptions {
  endpoint: string;
  tableName: string;
  /** Invokes a catalogue function by id. */
  invoke: (functionId: string, event: unknown) => Promise<unknown>;
  /** The local ARN of a function and of a workflow, as the bindings name them. */
  functionArn: (id: string) => string;
  stateMachineArn: (workflowName: string) => string;
  log: Pick<Console, 'error'>;
}

type Waiter = { resolve: (output: unknown) => void; reject: (err: Error) => void; execution: string };

export class LocalStepFunctions {
  private readonly db: DynamoDBDocumentClient;
  private readonly machines = new Map<string, Machine>();
  private readonly waiters = new Map<string, Waiter>();
  /**
   * Per execution: task invocations in flight and tokens it waits on. It is busy while a task runs or
   * while it waits on nothing (moving between states); a Parallel state may wait on several tokens.
   */
  private readonly state = new Map<string, { inflight: number; abort: () => void; done: Promise<unknown> }>();
  private stopped = false;

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    this.db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(opts.endpoint)), {
      marshallOptions: { removeUndefinedValues: true },
    });
    for (const [functionId, spec] of functionsTriggeredBy('workflow-task')) {
      const w = spec.trigger.workflow;
      const text = readFileSync(join(repoRoot, w.definitionFile), 'utf8').replaceAll(
        `\${${w.taskFunctionSubstitution}}`,
        opts.functionArn(functionId),
      );
      const arn = opts.stateMachineArn(w.name);
      this.machines.set(arn, { arn, definition: JSON.parse(text) as Record<string, unknown> });
    }
  }

  /** `StartExecution`: the same name with the same input is the same execution; another input conflicts. */
  async start(
    stateMachineArn: string,
    name: string,
    input: string,
  ): Promise<{ executionArn: string; startDate: number }> {
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new StatesError('StateMachineDoesNotExist', `no state machine ${stateMachineArn}`);
    const execution: StoredExecution = {
      name,
      stateMachineArn,
      input: input || '{}',
      status: 'RUNNING',
      startDate: now().toISOString(),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.opts.tableName,
          Item: { ...executionKey(name), vpk: RUNNING, vsk: `${execution.startDate}#${name}`, ...execution },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      const existing = (
        await this.db.send(
          new GetCommand({ TableName: this.opts.tableName, Key: executionKey(name), ConsistentRead: true }),
        )
      ).Item as StoredExecution | undefined;
      if (!existing || existing.input !== execution.input || existing.status !== 'RUNNING')
        throw new StatesError(
          'ExecutionAlreadyExists',
          `Execution Already Exists: '${this.executionArn(machine, name)}'`,
        );
      return {
        executionArn: this.executionArn(machine, name),
        startDate: Date.parse(existing.startDate) / 1000,
      };
    }
    this.run(machine, execution);
    return {
      executionArn: this.executionArn(machine, name),
      startDate: Date.parse(execution.startDate) / 1000,
    };
  }

  /** Replays every execution still running when the runtime last stopped. */
  async resume(): Promise<number> {
    let start: Record<string, unknown> | undefined;
    let resumed = 0;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.opts.tableName,
          IndexName: VISIBLE_INDEX,
          KeyConditionExpression: 'vpk = :p',
          ExpressionAttributeValues: { ':p': RUNNING },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of (out.Items ?? []) as StoredExecution[]) {
        const machine = this.machines.get(item.stateMachineArn);
        if (!machine || this.state.has(item.name)) continue;
        this.run(machine, item);
        resumed++;
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return resumed;
  }

  /** `SendTaskSuccess`: the waiting task resumes with `output`. */
  succeed(token: string, output: string): void {
    this.take(token).resolve(JSON.parse(output || '{}'));
  }

  /** `SendTaskFailure`: the waiting task fails with `error` (its Catch and Retry apply). */
  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const failure = new Error(cause ?? '');
    failure.name = error ?? 'States.TaskFailed';
    this.take(token).reject(failure);
  }

  /** `SendTaskHeartbeat`: the token must still be waiting. */
  heartbeat(token: string): void {
    if (!this.waiters.has(token)) throw new StatesError('TaskTimedOut', 'Task Timed Out');
  }

  /** Resolves once every execution waits on a token or has ended (tests settle on this). */
  async idle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((r) => setTimeout(r, 5));
      quiet = [...this.state.entries()].some(([name, s]) => s.inflight > 0 || this.waitingOn(name) === 0)
        ? 0
        : quiet + 1;
    }
  }

  /** Names of the executions this runtime is running (waiting ones included). */
  running(): string[] {
    return [...this.state.keys()];
  }

  /** Aborts what runs (its items stay `RUNNING`: the next start replays them). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.state.values()) s.abort();
    await Promise.allSettled([...this.state.values()].map((s) => s.done));
    this.db.destroy();
  }

  private waitingOn(execution: string): number {
    let n = 0;
    for (const w of this.waiters.values()) if (w.execution === execution) n++;
    return n;
  }

  private take(token: string): Waiter {
    const waiter = this.waiters.get(token);
    if (!waiter) throw new StatesError('TaskTimedOut', 'Task Timed Out: the token is not waiting');
    this.waiters.delete(token);
    return waiter;
  }

  private executionArn(machine: Machine, name: string): string {
    return `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** One local handler per Task state (in Parallel branches too), by state name. */
  private handlers(
    execution: string,
    states: Record<string, Record<string, unknown>>,
    into: Record<string, (input: unknown) => Promise<unknown>> = {},
  ) {
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type === 'Parallel')
        for (const branch of state.Branches as { States: Record<string, Record<string, unknown>> }[])
          this.handlers(execution, branch.States, into);
      if (state.Type !== 'Task') continue;
      const waits = String(state.Resource).endsWith(WAIT_FOR_TOKEN);
      into[stateName] = async (input) => {
        const { FunctionName, Payload } = input as { FunctionName: string; Payload: Record<string, unknown> };
        const functionId = FunctionName.split(':').at(-1) ?? '';
        const s = this.state.get(execution);
        if (s) s.inflight++;
        try {
          if (!waits) return { Payload: await this.opts.invoke(functionId, Payload), StatusCode: 200 };
          const token = `local-${randomUUID()}`;
          const answered = new Promise((resolve, reject) =>
            this.waiters.set(token, { resolve, reject, execution }),
          );
          await this.opts.invoke(functionId, { ...Payload, taskToken: token }).catch((err: unknown) => {
            this.waiters.delete(token);
            throw err;
          });
          return answered;
        } finally {
          if (s) s.inflight--;
        }
      };
    }
    return into;
  }

  private run(machine: Machine, execution: StoredExecution): void {
    if (this.stopped) return;
    const definition = machine.definition as { States: Record<string, Record<string, unknown>> };
    const sm = new StateMachine(machine.definition as never);
    const input = JSON.parse(execution.input) as unknown;
    const run = sm.run(input as never, {
      overrides: { taskResourceLocalHandlers: this.handlers(execution.name, definition.States) as never },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: this.executionArn(machine, execution.name),
          Name: execution.name,
          Input: input,
          StartTime: execution.startDate,
        },
        StateMachine: { Id: machine.arn },
        // Replaced per waiting state by a fresh token (see `handlers`).
        Task: { Token: 'local-token' },
      } as never,
    });
    const done = run.result
      .then(
        async (result) => {
          if (this.stopped && result === null) return;
          await this.finish(execution.name, 'SUCCEEDED');
        },
        async (err: unknown) => {
          if (this.stopped) return;
          this.opts.log.error(`[step functions] execution ${execution.name} failed`, err);
          await this.finish(execution.name, 'FAILED', String((err as Error)?.message ?? err));
        },
      )
      .finally(() => {
        this.state.delete(execution.name);
        for (const [token, w] of this.waiters) if (w.execution === execution.name) this.waiters.delete(token);
      });
    this.state.set(execution.name, { inflight: 0, abort: run.abort, done });
  }

  private async finish(name: string, status: StoredExecution['status'], error?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.opts.tableName,
        Key: executionKey(name),
        UpdateExpression: `SET #s = :s, stopDate = :at${error ? ', #e = :e' : ''} REMOVE vpk, vsk`,
        ExpressionAttributeNames: { '#s': 'status', ...(error ? { '#e': 'error' } : {}) },
        ExpressionAttributeValues: {
          ':s': status,
          ':at': now().toISOString(),
          ...(error ? { ':e': error.slice(0, 2000) } : {}),
        },
      }),
    );
  }
}

function awsJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify(body));
}

/** Step Functions speaks AWS JSON 1.0: POST with `X-Amz-Target: AWSStepFunctions.<Operation>`. */
export function stepFunctionsEdge(sfn: LocalStepFunctions): SideRoute {
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!req.url?.startsWith(AWS_EDGE_PREFIX) || !target.startsWith('AWSStepFunctions.')) return false;
    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, string | undefined>;
    try {
      switch (target) {
        case 'AWSStepFunctions.StartExecution':
          awsJson(
            res,
            200,
            await sfn.start(input.stateMachineArn ?? '', input.name ?? randomUUID(), input.input ?? '{}'),
          );
          return true;
        case 'AWSStepFunctions.SendTaskSuccess':
          sfn.succeed(input.taskToken ?? '', input.output ?? '{}');
          break;
        case 'AWSStepFunctions.SendTaskFailure':
          sfn.fail(input.taskToken ?? '', input.error, input.cause);
          break;
        case 'AWSStepFunctions.SendTaskHeartbeat':
          sfn.heartbeat(input.taskToken ?? '');
          break;
        default:
          awsJson(res, 400, {
            __type: 'UnknownOperationException',
            message: `${target} is not emulated locally`,
          });
          return true;
      }
      awsJson(res, 200, {});
    } catch (err) {
      if (err instanceof StatesError) awsJson(res, 400, { __type: err.type, message: err.message });
      else awsJson(res, 500, { __type: 'InternalServerError', message: String(err) });
    }
    return true;
  };
}
