import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Twin } from './twin.ts';

/** What another process needs of a twin; plain data (it crosses process and worker boundaries). */
export type TwinInfo = Omit<Twin, 'issuer' | 'drain' | 'stop' | 'connectionCount'>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Settings a twin gives its handlers: a test worker has them (handler-env.ts); a new twin must not inherit them. */
const HANDLER_SETTING = /^(AWS_|TABLE_NAME$|MEDIA_|S3_|JWT_|JWKS_|ADMIN_GROUP$|GROUPS_CLAIM$|DYNAMODB_|WS_MANAGEMENT|NOTIFICATIONS_|POWERTOOLS_|RATE_LIMITS)|_QUEUE_URL$/;

export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !HANDLER_SETTING.test(name))) as Record<string, string>;
}

/**
 * Starts a twin exactly as `npm start` does, in its own process (its own handler modules and
 * configuration): random ports, in-memory data, failed queue messages retried after 1 s. `extraEnv`
 * reaches the twin and its handlers (e.g. `RATE_LIMITS_ENABLED=false` for a load test).
 */
export async function startTwinProcess(extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; info: TwinInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      PORT: '0',
      WS_PORT: '0',
      VENTROOM_DATA_DIR: ':memory:',
      VENTROOM_RETRY_DELAY_SECONDS: '1',
      VENTROOM_READY_JSON: '1',
      NODE_ENV: 'test',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<TwinInfo>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('twin did not become ready within 120 s')), 120_000);
    child.once('exit', (code) => reject(new Error(`twin exited during start (code ${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('VENTROOM_READY '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('VENTROOM_READY '.length)) as TwinInfo);
      }
    });
  });
  // Keep the child's logs visible (handler errors are JSON lines, the twin's own start with "["),
  // without its banner or its CloudWatch metrics (EMF lines: about 340 per CI run, read by nobody).
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = chunk.toString().split('\n').filter((line) => (line.startsWith('{') && !line.startsWith('{"_aws"')) || line.startsWith('['));
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  });
  return { child, info };
}

export async function stopTwinProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
