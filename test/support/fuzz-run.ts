import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { db, TABLE } from '../../lambdas/core/db.ts';
import { sequenceKeys } from '../../lambdas/core/keys.ts';
import { call, newUser, twin, type ApiResponse, type TestUser } from './api.ts';
import { encodeBody, expectedText, FUZZ_CASES, FUZZ_SEED, type FuzzBody } from './fuzz.ts';

/**
 * Running fuzz properties against the twin: requests with a tally of statuses, several properties
 * side by side (one request in flight each: bounded concurrency, exact before/after checks inside
 * each), the first failure stopping the others, and the checks a refused request must pass.
 */

/** Clean refusals of a malformed request: field errors, too large (body, URI, headers), unsupported type. */
export const REFUSED = [400, 413, 414, 415, 431];

/** A fresh user every `perUser` requests, so rate limits (20 creates, 60 reactions, 100 others a minute) never bite. */
export function rotatingUsers(perUser: number): () => Promise<TestUser> {
  let user: Promise<TestUser> | undefined;
  let used = perUser;
  return () => {
    if (used >= perUser) {
      user = newUser();
      used = 0;
    }
    used += 1;
    return user!;
  };
}

export class FuzzSession {
  readonly tallies: Record<string, { cases: number; statuses: Record<number, number> }> = {};
  private halted = false;
  private firstFailure: unknown;
  private turn: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` alone among the callers that ask for turns (when `serial`): for checks on something
   * several properties write to, such as the count of objects in the media bucket.
   */
  serialIf<T>(serial: boolean, work: () => Promise<T>): Promise<T> {
    if (!serial) return work();
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** One request; any 5xx fails the property, with the request in the message. */
  async send(method: string, path: string, user: TestUser, body: FuzzBody | undefined, query: string, name: string): Promise<ApiResponse> {
    if (this.halted) throw new Error('halted: another property failed');
    const encoded = body ? await encodeBody(body) : { body: undefined, headers: {} };
    const response = await call(method, `${path}${query ? `?${query}` : ''}`, { user, body: encoded.body, headers: encoded.headers });
    const tally = (this.tallies[name] ??= { cases: 0, statuses: {} });
    tally.cases += 1;
    tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
    if (response.status >= 500) throw new Error(`${method} ${path}?${query} -> ${response.status} ${response.text}`);
    return response;
  }

  run(property: fc.IAsyncProperty<any>, numRuns = FUZZ_CASES): Promise<void> {
    return fc.assert(property, { numRuns, seed: FUZZ_SEED }).catch((error) => {
      if (!this.halted) this.firstFailure = error;
      this.halted = true;
      throw error;
    });
  }

  /** Runs properties side by side; the first failure stops the rest and is the one reported. */
  async runTogether(properties: fc.IAsyncProperty<any>[]): Promise<void> {
    this.firstFailure = undefined;
    await Promise.allSettled(properties.map((property) => this.run(property)));
    // Every property has finished (the halted ones quickly): what follows runs undisturbed.
    this.halted = false;
    if (this.firstFailure) throw this.firstFailure;
  }

  get requests(): number {
    return Object.values(this.tallies).reduce((sum, tally) => sum + tally.cases, 0);
  }
}

/** The current value of an id sequence: a refused create must not have drawn an id. */
export async function sequenceValue(kind: keyof typeof sequenceKeys): Promise<number> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: sequenceKeys[kind](), ConsistentRead: true }));
  return (Item?.n as number | undefined) ?? 0;
}

/** Objects in the twin's media bucket (this file runs alone on its twin: exact). */
export async function mediaObjectCount(): Promise<number> {
  const { endpoints, region, bucket } = twin();
  const s3 = new S3Client({ region, endpoint: endpoints.s3, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return count;
}

/** The text a field of an accepted body must have been stored as (undefined: the body did not name it). */
export function sentText(body: FuzzBody, field: string): string | undefined {
  if (body.kind === 'json') {
    const value = body.value as Record<string, unknown>;
    return typeof value === 'object' && value !== null && field in value ? expectedText(value[field]) : undefined;
  }
  if (body.kind === 'form') return body.fields[field];
  if (body.kind === 'raw') {
    // Accepted raw bytes were a JSON document or a form, whatever the test meant them to be.
    const text = new TextDecoder().decode(body.bytes);
    if (text.trim() === '') return undefined;
    if ((body.contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return new URLSearchParams(text).get(field) ?? undefined;
    try {
      return sentText({ kind: 'json', value: JSON.parse(text), contentType: '' }, field);
    } catch {
      throw new Error(`accepted a raw body that is neither JSON nor a form: ${JSON.stringify({ contentType: body.contentType, text })}`);
    }
  }
  // FormData leaves out an empty filename; busboy then takes the part for a field (appended last:
  // it wins) unless its type is application/octet-stream (what FormData sends for no type).
  if (body.file?.field === field && body.file.name === '' && body.file.type !== '') return new TextDecoder().decode(body.file.bytes);
  // FormData serialisation turns every line break into CRLF (the HTML multipart rules), before we send it.
  return body.fields[field]?.replace(/\r\n|\r|\n/g, '\r\n');
}

export { FUZZ_CASES, FUZZ_SEED };
