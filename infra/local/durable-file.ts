/**
 * Files the local runtime rewrites (stream checkpoints, keys, the lock) are written to a temporary file
 * in the same folder, flushed, then renamed over the old one: a crash leaves the old file or the new one,
 * never half of each. A file that is corrupt anyway (written by an older version, edited by hand, a disk
 * that lied) is reported, moved aside for inspection and treated as absent, never fatal.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, data: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Reads a file the runtime wrote; undefined when it does not exist, or when it is corrupt (`parse`
 * throws): then the file is moved aside to `<file>.corrupt-<time>` and `recovery` is printed.
 */
export function readDurableFile<T>(
  file: string,
  parse: (text: string) => T,
  what: string,
  recovery: string,
): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(file, aside);
    } catch {
      // moving it aside is a courtesy; reading on without it is what matters
    }
    console.warn(
      `[local] ${what} ${file} is unreadable (${(err as Error).message}); kept as ${aside}. ${recovery}`,
    );
    return undefined;
  }
}

/** `JSON.parse` that insists on an object (a torn write often still parses as a number or string). */
export function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * A secret kept in a file: read, or created on first use. A file that is empty or unreadable is
 * reported and replaced by a new secret (what was signed with the old one stops verifying).
 */
export function durableSecret(file: string, what: string, create: () => string): string {
  const existing = readDurableFile(
    file,
    (text) => {
      const secret = text.trim();
      if (secret.length < 16) throw new Error('too short');
      return secret;
    },
    what,
    'Creating a new one: links and tokens signed with the old one no longer verify.',
  );
  if (existing) return existing;
  const secret = create();
  writeFileAtomic(file, `${secret}\n`, 0o600);
  return secret;
}
