import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startTwinProcess, stopTwinProcess, type TwinInfo } from './global-setup.ts';
import { tableClient } from './table-audit.ts';

/**
 * A twin of a test's own (a separate `npm start` process), for what must not touch the project's
 * twin: fault-injection settings, restarts, its own data directory and dev issuer key.
 */
export interface OwnTwin {
  info: TwinInfo;
  child: ChildProcess;
  /** The test's own client on the twin's DynamoDB (for recounts straight from the table). */
  table: DynamoDBDocumentClient;
  dataDir?: string;
  stop(): Promise<void>;
}

export async function startOwnTwin(env: Record<string, string> = {}, options: { keepData?: boolean; dataDir?: string } = {}): Promise<OwnTwin> {
  const dataDir = options.dataDir ?? (options.keepData ? await mkdtemp(path.join(os.tmpdir(), 'ventroom-own-')) : undefined);
  const { child, info } = await startTwinProcess({ ...env, ...(dataDir ? { VENTROOM_DATA_DIR: dataDir } : {}) });
  return {
    info,
    child,
    table: tableClient(info),
    dataDir,
    stop: () => stopTwinProcess(child),
  };
}

export async function removeDataDir(twin: OwnTwin | undefined): Promise<void> {
  if (twin?.dataDir) await rm(twin.dataDir, { recursive: true, force: true });
}
