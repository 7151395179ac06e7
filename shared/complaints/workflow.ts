/**
 * The investigation workflow's port and its Step Functions adapter: start an execution (named after the
 * complaint, so a redelivered start is harmless) and answer a waiting human step by its task token. The
 * same SDK client talks to the local emulation (`infra/local/step-functions.ts`) through
 * `AWS_ENDPOINT_URL_SFN`.
 */
import type { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SDK_RETRY } from '../store/client.ts';

/**
 * The Step Functions SDK, loaded with the first call: the workflow's task function, invoked at every
 * step, answers a task only when a replayed step was done already.
 */
const sfn = () => import('@aws-sdk/client-sfn');

/** The token no longer belongs to a waiting task (answered already, timed out, or replaced on re-entry). */
export class StaleTaskTokenError extends Error {
  override readonly name = 'StaleTaskTokenError';
}

export interface WorkflowPort {
  /** Starts the execution `name`; one that exists already counts as started. */
  start(name: string, input: Record<string, unknown>): Promise<'started' | 'exists'>;
  /** Resolves the waiting task with `output`. */
  succeed(taskToken: string, output: Record<string, unknown>): Promise<void>;
  /** Fails the waiting task. */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export class StepFunctionsWorkflow implements WorkflowPort {
  constructor(
    private readonly client: () => Promise<Pick<SFNClient, 'send'>>,
    /** Absent for functions that only answer tasks. */
    private readonly stateMachineArn?: string,
  ) {}

  async start(name: string, input: Record<string, unknown>): Promise<'started' | 'exists'> {
    if (!this.stateMachineArn) throw new Error('this function does not start workflows');
    const { ExecutionAlreadyExists, StartExecutionCommand } = await sfn();
    try {
      await (await this.client()).send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return 'started';
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists) return 'exists';
      throw err;
    }
  }

  async succeed(taskToken: string, output: Record<string, unknown>): Promise<void> {
    const { SendTaskSuccessCommand } = await sfn();
    await this.answer(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    const { SendTaskFailureCommand } = await sfn();
    await this.answer(new SendTaskFailureCommand({ taskToken, error, cause }));
  }

  private async answer(command: SendTaskSuccessCommand | SendTaskFailureCommand): Promise<void> {
    const { InvalidToken, TaskDoesNotExist, TaskTimedOut } = await sfn();
    try {
      await (await this.client()).send(command as SendTaskSuccessCommand);
    } catch (err) {
      if (err instanceof InvalidToken || err instanceof TaskDoesNotExist || err instanceof TaskTimedOut)
        throw new StaleTaskTokenError(err.message);
      throw err;
    }
  }
}

let client: Promise<SFNClient> | undefined;
/** One client per execution environment, created on first use. */
export function sfnClient(): Promise<SFNClient> {
  client ??= sfn().then(({ SFNClient }) => new SFNClient({ ...SDK_RETRY }));
  return client;
}
