/**
 * The README's start command, as a person runs it: the process comes up, serves the API, keeps data
 * across restarts, and Ctrl-C leaves no DynamoDB Local (java) process behind.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/system.ts';
import { intake } from '../support/system.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aftercare-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  dynamoPort: string;
}

async function start(): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/start.ts', '--port', '0', '--data-dir', dataDir],
    {
      cwd: repoRoot,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const deadline = Date.now() + 45_000;
  while (!/API\s+(http:\/\/\S+)/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url: /API\s+(http:\/\/\S+)/.exec(out)?.[1] ?? '',
    dynamoPort: /DynamoDB Local http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? '',
  };
}

async function interrupt(r: Running): Promise<number | null> {
  const exited = new Promise<number | null>((ok) => r.child.once('exit', (code) => ok(code)));
  r.child.kill('SIGINT');
  return exited;
}

function javaOnPort(port: string): boolean {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').some((line) => line.includes('DynamoDBLocal.jar') && line.includes(`-port ${port}`));
}

function token(role: string, sub: string): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', 'infra/local/token.ts', '--role', role, '--sub', sub, '--data-dir', dataDir],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  ).trim();
}

describe('npm start', () => {
  it('serves the API, keeps data across a restart, and stops DynamoDB Local on Ctrl-C', async () => {
    // Prepare
    const first = await start();
    const agent = token('agent', 'a-start');
    const headers = { authorization: `Bearer ${agent}`, 'content-type': 'application/json' };

    // Act
    const created = await fetch(`${first.url}/cases`, {
      method: 'POST',
      headers,
      body: JSON.stringify(intake()),
    });
    const id = ((await created.json()) as { id: string }).id;
    const firstExit = await interrupt(first);
    const orphan = javaOnPort(first.dynamoPort);
    const second = await start();
    const reread = await fetch(`${second.url}/cases/${id}`, { headers });
    const openapi = (await (await fetch(`${second.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    await interrupt(second);

    // Assess
    expect(created.status).toBe(201);
    expect(firstExit).toBe(0);
    expect(orphan).toBe(false);
    expect(reread.status).toBe(200);
    expect(((await reread.json()) as { id: string }).id).toBe(id);
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toContain('/cases/{id}/assign');
    expect(javaOnPort(second.dynamoPort)).toBe(false);
  }, 120_000);
});

describe('/openapi.json', () => {
  it('describes the intake body from the same schema the handler validates with', async () => {
    // Prepare
    const { openApiDocument } = await import('../../shared/http/openapi.ts');
    const { allRoutes: routes } = await import('../../functions/catalog.ts');

    // Act
    const doc = openApiDocument(routes) as { paths: Record<string, Record<string, any>> };

    // Assess
    const schema = doc.paths['/cases']?.post?.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(
      expect.arrayContaining(['channel', 'customer', 'product', 'symptoms', 'zone', 'emergency']),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.zone.enum).toEqual(['urban', 'suburban']);
    expect(Object.keys(doc.paths)).toHaveLength(new Set(routes.map((r) => r.path)).size);
  });
});
