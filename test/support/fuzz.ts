import fc from 'fast-check';

/**
 * Arbitraries for hostile input: strings from every corner of Unicode (and the broken ones: NUL,
 * lone surrogates, U+FFFF), JSON values of every type, bodies in every encoding and content type,
 * path segments and query strings. Shared by the fuzz suites of every write endpoint.
 */

/**
 * Cases per property: 60 in `npm test` (the fuzz file is among the longest of the suite: 80 s at
 * 250 cases and 67-81 s at 120 on a slow 2-core machine, in a CI run that must stay under 10
 * minutes; the seed changes every run, so CI runs add up);
 * `FUZZ_RUNS=N` runs 1,000 x N (`npm run test:hard`: 10,000).
 */
export const FUZZ_CASES = process.env.FUZZ_RUNS ? 1000 * Math.max(1, Number(process.env.FUZZ_RUNS)) : 60;

/** A fixed seed per run (printed), so a failure replays with `FUZZ_SEED=<n>`. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Characters that break naive code: controls, bidi overrides, combining marks, joiners, noncharacters, astral. */
export const SPECIAL_CHARACTERS = [
  '\u0000', '\u0001', '\u0008', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u00a0', '\u00ad',
  '\u0301', '\u0361', '\u200b', '\u200d', '\u200e', '\u200f', '\u202e', '\u2028', '\u2029', '\u2066',
  '\ufeff', '\ufffd', '\ufffe', '\uffff', 'ש', 'م', 'ß', 'İ', 'ǅ', '𝕏', '😀', '👍', '👍🏽', '❤', '❤️', '🏳️‍🌈', '👨‍👩‍👧‍👦',
  '\u{10ffff}', '\u{e0001}', '"', "'", '\\', '/', '<', '>', '&', '%', '#', '?', '+', '{', '}', '$', '`',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...SPECIAL_CHARACTERS), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIAL_CHARACTERS), loneSurrogate), maxLength: 10 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '', ' ', '   ', '\n', 'null', 'None', 'undefined', 'true', '0', '-1', '1e309', 'NaN', '__proto__', 'constructor',
      "' OR '1'='1", '"; DROP TABLE posts; --', '<script>alert(1)</script>', '${jndi:ldap://x/a}', '{{7*7}}', '../../etc/passwd',
      'FEED', 'P#000000000001', 'USER#x', 'CONN#x', 'x'.repeat(150), 'x'.repeat(151), '😀'.repeat(150), '😀'.repeat(151),
      'e\u0301'.repeat(80), 'x'.repeat(10_000), 'x'.repeat(10_001), '😀'.repeat(10_000),
    ),
  },
);

export const jsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e21) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Any JSON value, leaning to strings, a little nesting. */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: jsonLeaf },
  { weight: 1, arbitrary: fc.array(jsonLeaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, jsonLeaf, { maxKeys: 4 }) },
);

/** A JSON object with some of the named fields (hostile values), maybe extra keys. */
export function objectWith(fields: string[], values: fc.Arbitrary<unknown> = jsonValue): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(Object.fromEntries(fields.map((name) => [name, values])), { requiredKeys: [] }),
      fc.dictionary(fc.oneof(hostileString, fc.constantFrom('id', 'user', 'views', 'pk', 'sk', '__proto__')), jsonValue, { maxKeys: 2 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }));
}

export type FuzzBody =
  | { kind: 'json'; value: unknown; contentType: string }
  | { kind: 'raw'; bytes: Uint8Array; contentType?: string }
  | { kind: 'form'; fields: Record<string, string>; contentType: string }
  | { kind: 'multipart'; fields: Record<string, string>; file?: { field: string; bytes: Uint8Array; type: string; name: string } };

const jsonContentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'APPLICATION/JSON', '');
const oddContentType = fc.constantFrom(
  'text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/mixed; boundary=x',
  'application/x-www-form-urlencoded; charset=latin1', 'image/png', 'application/json; charset=utf-16', ';;;', '*/*', 'application/x-www-form-urlencoded',
);

const formValue = hostileString.map((s) => s.replace(/[\ud800-\udfff]/g, ''));

/**
 * Bodies of every encoding a client (or an attacker) might send, built around an object's fields.
 * `plausible`: bodies a real client would send (hostile text, right shape), so that a good share of
 * cases gets past validation to storage; by default every named field as a string.
 */
export function fuzzBody(
  fields: string[],
  plausible: fc.Arbitrary<Record<string, unknown>> = fc.record(Object.fromEntries(fields.map((name) => [name, hostileString])), { requiredKeys: [] }),
): fc.Arbitrary<FuzzBody> {
  const fileBytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom(
      // PNG, GIF, WAV and MP4 signatures, and a PNG claimed as something else.
      Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')),
      Uint8Array.from(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')),
      Uint8Array.from(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')),
      new Uint8Array(0),
    ),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('json' as const), value: plausible, contentType: jsonContentType }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.oneof({ weight: 5, arbitrary: objectWith(fields) }, { weight: 1, arbitrary: jsonValue }), contentType: jsonContentType }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), bytes: fc.oneof(fc.uint8Array({ maxLength: 200 }), hostileString.map((s) => new TextEncoder().encode(s))), contentType: fc.option(fc.oneof(jsonContentType, oddContentType), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('form' as const), fields: fc.dictionary(fc.oneof(fc.constantFrom(...fields), formValue), formValue, { maxKeys: 5 }), contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8') }) },
    {
      weight: 2,
      arbitrary: fc.record(
        {
          kind: fc.constant('multipart' as const),
          fields: fc.dictionary(fc.oneof(fc.constantFrom(...fields, 'media_type'), formValue), fc.oneof(formValue, fc.constantFrom('image', 'video', 'audio', 'text')), { maxKeys: 5 }),
          file: fc.record({
            field: fc.constantFrom('media', 'media', 'file', 'content'),
            bytes: fileBytes,
            type: fc.constantFrom('image/png', 'video/mp4', 'text/html', 'application/x-msdownload', ''),
            name: fc.oneof(fc.constantFrom('a.png', '../../x.png', 'x.php', '', 'é😀.gif'), formValue),
          }),
        },
        { requiredKeys: ['kind', 'fields'] },
      ),
    },
  );
}

/** Serialises a fuzz body for fetch. */
export async function encodeBody(body: FuzzBody): Promise<{ body?: RequestInit['body']; headers: Record<string, string> }> {
  switch (body.kind) {
    case 'json':
      return { body: JSON.stringify(body.value), headers: body.contentType ? { 'content-type': body.contentType } : {} };
    case 'raw':
      return { body: Buffer.from(body.bytes), headers: body.contentType === undefined ? {} : { 'content-type': body.contentType } };
    case 'form':
      return { body: new URLSearchParams(body.fields).toString(), headers: { 'content-type': body.contentType } };
    case 'multipart': {
      const form = new FormData();
      for (const [name, value] of Object.entries(body.fields)) form.append(name, value);
      if (body.file) form.append(body.file.field, new Blob([Buffer.from(body.file.bytes)], { type: body.file.type }), body.file.name);
      const request = new Request('http://multipart.invalid/', { method: 'POST', body: form });
      return { body: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } };
    }
  }
}

/**
 * What a serializer field that accepted `value` must have stored: DRF CharFields take strings and
 * numbers (as text). Undefined when the value could not have been accepted as text.
 */
export function expectedText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Query strings with hostile names and values (the raw text after `?`). */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.oneof(fc.constantFrom('page', 'page_size', 'cursor', 'post_id', 'user', 'id', '__proto__'), formValue), formValue, { maxKeys: 4 }).map((q) => new URLSearchParams(q).toString()),
  fc.constantFrom('page=1&page=2', 'page_size=1000000', 'page_size=-1', 'cursor=%ZZ', '%', '&&&', '=x', 'a[b]=c', 'page=9999999999', 'cursor=eyJkIjoibyIsImEiOi0xLCJwIjoyLCJzIjoxMH0'),
);

/** Path segments where an integer id belongs. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  formValue.filter((s) => s.length > 0).map((s) => encodeURIComponent(s)),
  fc.integer().map(String),
  fc.constantFrom(
    '0', '-1', '01', '+1', '1.0', '1e3', '0x1', ' 1', '1%20', '%31', '1%2F2', '..', '.', '%2e%2e', '%00', '%ZZ', '%', '%E0%A4%A', '%F0%9F%98%80',
    '999999999999999', '9999999999999999', '1%00', 'null', 'undefined', '$%7Bx%7D', '1;DROP', 'P%23000000000001', '1%0A2',
  ),
);
