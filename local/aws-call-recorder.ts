import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { $Command } from '@aws-sdk/client-sqs';
import { iamCallsOf, resourceNamesFrom, type ResourceNames } from './iam-actions.ts';
import { currentFunction, observeInvocations } from './lambda-runtime.ts';

/**
 * Records, per function id, every AWS call the handlers make and what IAM authorises for it
 * (local/iam-actions.ts), for the least-privilege check (test/iam). Test-only: nothing is recorded
 * unless a test run asks for it (VENTROOM_IAM_CALLS_DIR, set by test/support/global-setup.ts).
 *
 * Every command of every AWS SDK client resolves its middleware through the one `Command` base class
 * (`$Command`, shared by all clients in a process), for a `send` and for a presigned URL alike (a
 * presigned PUT is authorised as the signer's PutObject). Wrapping that one method sees every call of
 * every client, including a client added later, without the handlers exporting or knowing anything.
 * A call is attributed to the function whose invocation runs it (`currentFunction`); calls made
 * outside any invocation (the twin's own pollers, a test's seeding) are not recorded.
 *
 * Lines are appended to `<dir>/<pid>.jsonl` as they come (a twin may be killed), each distinct line
 * once per process: `{"fn","action","resource","leadingKeys"}` per call, `{"fn","invoked":true}` per
 * function invoked.
 */
export const IAM_CALLS_DIR_VARIABLE = 'VENTROOM_IAM_CALLS_DIR';

export interface RecordedIamCall {
  fn: string;
  action: string;
  resource: string;
  leadingKeys?: string[];
}

export interface RecordedInvocation {
  fn: string;
  invoked: true;
}

type Resolve = (this: { input?: Record<string, unknown> }, stack: unknown, configuration: unknown, options: unknown, context: { clientName: string; commandName: string }) => (args: unknown) => Promise<unknown>;

interface RecorderState {
  original: Resolve;
  /** The current module instance's recorder (vitest loads modules afresh per test file; the class is shared). */
  record?: (clientName: string, commandName: string, input: Record<string, unknown>) => void;
  seen: Set<string>;
}

const STATE = Symbol.for('ventroom.awsCallRecorder');
const prototype = $Command.prototype as unknown as { resolveMiddlewareWithContext: Resolve };

function processState(): RecorderState {
  const holder = globalThis as { [STATE]?: RecorderState };
  if (!holder[STATE]) {
    const state: RecorderState = { original: prototype.resolveMiddlewareWithContext, seen: new Set() };
    prototype.resolveMiddlewareWithContext = function (this: { input?: Record<string, unknown> }, stack, configuration, options, context) {
      const handler = state.original.call(this, stack, configuration, options, context);
      const command = this;
      return (args) => {
        state.record?.(context.clientName, context.commandName, command.input ?? {});
        return handler(args);
      };
    };
    holder[STATE] = state;
  }
  return holder[STATE];
}

let names: ResourceNames | undefined;
let observing = false;

/**
 * Starts recording into `dir` (idempotent). Reads the resource names from the environment each time
 * it is called, so call it again after changing the handlers' configuration.
 */
export function installAwsCallRecorder(dir: string): void {
  const state = processState();
  names = resourceNamesFrom(process.env);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.jsonl`);
  const write = (entry: RecordedIamCall | RecordedInvocation) => {
    const line = JSON.stringify(entry);
    if (state.seen.has(line)) return;
    state.seen.add(line);
    appendFileSync(file, `${line}\n`);
  };
  state.record = (clientName, commandName, input) => {
    const fn = currentFunction();
    if (!fn) return;
    for (const call of iamCallsOf(clientName, commandName, input, names!)) write({ fn, ...call });
  };
  if (!observing) observeInvocations((invocation) => write({ fn: invocation.functionName, invoked: true }));
  observing = true;
}
