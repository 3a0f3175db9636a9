import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, startTwinProcess, stopTwinProcess } from '../support/global-setup.ts';

/** Java processes running DynamoDB Local with a data path under `dir`. */
function javaUnder(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'DynamoDBLocal'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(dir));
  } catch {
    return [];
  }
}

async function token(httpUrl: string, userId: string) {
  const response = await fetch(`${httpUrl}/local/token`, { method: 'POST', body: JSON.stringify({ display_name: 'Life', user_id: userId }) });
  return ((await response.json()) as { token: string }).token;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the offline twin as a process (npm start)', () => {
  it('answers /local/health, keeps data across a restart, and leaves no Java behind after SIGINT', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ventroom-life-'));
    dirs.push(dir);
    const started = Date.now();
    const first = await startTwinProcess({ VENTROOM_DATA_DIR: dir });
    const health = await fetch(`${first.info.httpUrl}/local/health`);
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(javaUnder(dir).length).toBe(1);
    const bearer = await token(first.info.httpUrl, 'restart-user');
    const created = await fetch(`${first.info.httpUrl}/api/ventroom/posts/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'survives restarts' }),
    });
    const post = (await created.json()) as { id: number };
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(javaUnder(dir)).toEqual([]);

    const second = await startTwinProcess({ VENTROOM_DATA_DIR: dir });
    // Tokens of the first run still verify: the dev issuer's key is kept in the data directory.
    const fetched = await fetch(`${second.info.httpUrl}/api/ventroom/posts/${post.id}/`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as { content: string }).content).toBe('survives restarts');
    await stopTwinProcess(second.child);
    expect(javaUnder(dir)).toEqual([]);
  });

  it('uses an already running DynamoDB named by AWS_ENDPOINT_URL_DYNAMODB instead of starting its own', async () => {
    const host = await startTwinProcess();
    const guest = await startTwinProcess({ AWS_ENDPOINT_URL_DYNAMODB: host.info.endpoints.dynamodb });
    try {
      expect(guest.info.endpoints.dynamodb).toBe(host.info.endpoints.dynamodb);
      const bearer = await token(guest.info.httpUrl, 'shared-user');
      const created = await fetch(`${guest.info.httpUrl}/api/ventroom/posts/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'written through the guest' }),
      });
      const post = (await created.json()) as { id: number };
      // The host reads the same table (tokens differ per twin: each has its own dev issuer).
      const hostBearer = await token(host.info.httpUrl, 'shared-user');
      const seen = await fetch(`${host.info.httpUrl}/api/ventroom/posts/${post.id}/`, { headers: { authorization: `Bearer ${hostBearer}` } });
      expect(seen.status).toBe(200);
    } finally {
      await stopTwinProcess(guest.child);
      await stopTwinProcess(host.child);
    }
  });

  it('fails with one clear line when a port is taken or Java is missing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
          env: { ...cleanEnv(), VENTROOM_DATA_DIR: ':memory:', WS_PORT: '0', ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
    const taken = await run({ PORT: String(port) });
    blocker.close();
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe(`Cannot start: Port ${port} (HTTP) is already in use; stop what holds it or set another port.`);
    const noJava = await run({ PORT: '0', PATH: path.dirname(process.execPath) });
    expect(noJava.code).toBe(1);
    expect(noJava.stderr.trim()).toBe(
      'Cannot start: Java 17+ is required for DynamoDB Local and was not found on PATH (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless).',
    );
  });
});
