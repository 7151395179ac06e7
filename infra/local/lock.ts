/**
 * One runtime per data folder: `npm start` holds `<data folder>/aftercare.lock` (its pid, and where its
 * engine and API listen) while it runs. A second start on the same folder is refused with a clear message
 * instead of running a second engine on the same files; a lock left by a process that no longer exists
 * (killed with SIGKILL, a power cut) is reported and taken over. The `dlq` command reads the lock to
 * reach the running engine.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonObject, readDurableFile, writeFileAtomic } from './durable-file.ts';

export interface LockInfo {
  pid: number;
  startedAt: string;
  /** Set once the engine is up. */
  dynamoEndpoint?: string;
  /** java's pid, so a start that takes over a stale lock can make sure the old engine is gone. */
  enginePid?: number;
  tableName?: string;
  url?: string;
}

export class DataFolderInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `The data folder ${dataDir} is in use by another Aftercare runtime (pid ${holder.pid}, started ${holder.startedAt}` +
        `${holder.url ? `, API ${holder.url}` : ''}). Stop it first, or start with --data-dir <another folder>.`,
    );
    this.name = 'DataFolderInUseError';
  }
}

export const lockFile = (dataDir: string) => join(dataDir, 'aftercare.lock');

/** True while a process with this id exists (EPERM: it exists, but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's content when a live process holds it. */
export function readLock(dataDir: string): LockInfo | undefined {
  const info = readDurableFile(
    lockFile(dataDir),
    (text) => parseJsonObject(text) as unknown as LockInfo,
    'lock file',
    'Treating the data folder as free.',
  );
  return info && typeof info.pid === 'number' && isAlive(info.pid) ? info : undefined;
}

export interface DataLock {
  /** Records where the runtime listens (for `npm run dlq`). */
  update(info: Partial<LockInfo>): void;
  release(): void;
}

/** Is `pid` a DynamoDB Local engine? (Where `/proc` is missing, assume so.) */
function isEngine(pid: number): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self')) return isAlive(pid);
  try {
    return existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false;
  }
}

/** Waits for a previous runtime's engine to go (its watchdog stops it), killing it if it lingers. */
async function reapEngine(pid: number, log: Pick<Console, 'warn'>): Promise<void> {
  if (!isEngine(pid)) return;
  log.warn(`[local] waiting for the previous DynamoDB Local (pid ${pid}) to exit`);
  const deadline = Date.now() + 5000;
  while (isEngine(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isEngine(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Takes the data folder's lock, or throws {@link DataFolderInUseError}. */
export async function acquireDataLock(
  dataDir: string,
  log: Pick<Console, 'warn'> = console,
): Promise<DataLock> {
  mkdirSync(dataDir, { recursive: true });
  const file = lockFile(dataDir);
  let info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // Exclusive create: of two starts racing for the folder, exactly one gets it.
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      const holder = readDurableFile(
        file,
        (text) => parseJsonObject(text) as unknown as LockInfo,
        'lock file',
        'Treating the data folder as free.',
      );
      if (holder && typeof holder.pid === 'number' && holder.pid !== process.pid && isAlive(holder.pid))
        throw new DataFolderInUseError(dataDir, holder);
      if (holder) {
        log.warn(`[local] removing a stale lock of pid ${holder.pid} (no such process) from ${dataDir}`);
        if (typeof holder.enginePid === 'number') await reapEngine(holder.enginePid, log);
      }
      rmSync(file, { force: true });
    }
  }
  return {
    update(more) {
      info = { ...info, ...more };
      writeFileAtomic(file, JSON.stringify(info));
    },
    release() {
      const current = readLock(dataDir);
      if (!current || current.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
