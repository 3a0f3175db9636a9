import type { ChildProcess } from 'node:child_process';
import { startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';

export interface BenchUser {
  id: string;
  token: string;
}

export interface BenchTwin {
  info: TwinInfo;
  child: ChildProcess;
  newUser(name?: string): Promise<BenchUser>;
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A twin in its own process (the same spawn as the test suite's), with rate limits off for its own
 * handlers (the load phase needs that; everything measured in the bench process keeps them on).
 * The bench process takes the twin's handler configuration, so handler modules it imports run
 * against the same DynamoDB Local, queues and WebSocket gateway.
 */
export async function startBenchTwin(): Promise<BenchTwin> {
  const { child, info } = await startTwinProcess({ RATE_LIMITS_ENABLED: 'false' });
  Object.assign(process.env, info.handlerEnv);
  let counter = 0;
  return {
    info,
    child,
    async newUser(name) {
      counter += 1;
      const response = await fetch(`${info.httpUrl}/local/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ display_name: name ?? `Bench user ${counter}`, user_id: `bench-${process.pid}-${counter}` }),
      });
      if (response.status !== 200) throw new Error(`token request failed: ${response.status}`);
      const { token, user } = (await response.json()) as { token: string; user: { id: string } };
      return { id: user.id, token };
    },
    async drain() {
      const response = await fetch(`${info.httpUrl}/local/drain`, { method: 'POST' });
      if (response.status !== 200) throw new Error(`drain failed: ${response.status}`);
    },
    stop: () => stopTwinProcess(child),
  };
}
