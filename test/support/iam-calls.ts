import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RecordedIamCall, RecordedInvocation } from '../../local/aws-call-recorder.ts';
import { PROJECT_ROOT } from '../../lib/project.ts';

/**
 * The AWS calls a test run recorded (local/aws-call-recorder.ts), under
 * `.ventroom-test/iam-calls/<run>/<pid>.jsonl`: one directory per run, named after the run's vitest
 * process (where every project's global setup runs, and whose children the test workers are), so
 * two runs in one worktree do not mix their records.
 */
const ROOT = path.join(PROJECT_ROOT, '.ventroom-test', 'iam-calls');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Called by every project's global setup: the run's directory (the first call removes finished runs' records). */
export function startIamRecording(): string {
  const dir = path.join(ROOT, String(process.pid));
  if (!existsSync(dir)) {
    for (const run of existsSync(ROOT) ? readdirSync(ROOT) : []) {
      if (!alive(Number(run))) rmSync(path.join(ROOT, run), { recursive: true, force: true });
    }
    mkdirSync(dir, { recursive: true });
  }
  return dir;
}

export interface IamRecording {
  /** Whether the records are those of the run this process belongs to (this worker's parent). */
  thisRun: boolean;
  /** The directory read (this run's, or else the latest one). */
  dir?: string;
  calls: RecordedIamCall[];
  invoked: Set<string>;
}

function latestRun(): string | undefined {
  const runs = existsSync(ROOT) ? readdirSync(ROOT).map((run) => path.join(ROOT, run)) : [];
  return runs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** This run's records; with `orLatest`, those of the latest run when this run recorded none. */
export function readIamRecording(options: { orLatest?: boolean } = {}): IamRecording {
  const own = path.join(ROOT, String(process.ppid));
  const thisRun = existsSync(own);
  const dir = thisRun ? own : options.orLatest ? latestRun() : undefined;
  const calls: RecordedIamCall[] = [];
  const invoked = new Set<string>();
  for (const file of dir ? readdirSync(dir).filter((name) => name.endsWith('.jsonl')) : []) {
    for (const line of readFileSync(path.join(dir!, file), 'utf8').split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line) as RecordedIamCall | RecordedInvocation;
      if ('invoked' in entry) invoked.add(entry.fn);
      else calls.push(entry);
    }
  }
  return { thisRun, dir, calls, invoked };
}
