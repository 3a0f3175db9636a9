import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Validates what the e2e suites receive against the committed API description (docs/api/): every
 * HTTP response against openapi.json (its status must be documented for the operation, its body
 * must match the schema exactly: closed objects, so an undocumented field fails) and every
 * WebSocket frame against asyncapi.json. The shared helpers (api.ts, ws.ts) call these on
 * everything, so no test can forget to.
 */
type Json = Record<string, any>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv | Ajv2020) => void;
const root = path.resolve(import.meta.dirname, '../..');
const load = (file: string) => JSON.parse(readFileSync(path.join(root, 'docs/api', file), 'utf8')) as Json;

/** `#/components/schemas/X` becomes a reference into one schema holding every component. */
function rebase(schema: unknown, id: string, defs: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rebase(s, id, defs));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', `${id}#/${defs}/`) : rebase(value, id, defs);
  }
  return out;
}

let http: { doc: Json; ajv: Ajv2020; routes: { pattern: RegExp; literal: number; path: string }[] } | undefined;
let ws: { ajv: Ajv; byType: Map<string, ValidateFunction>; gateway: ValidateFunction } | undefined;
const compiled = new Map<string, ValidateFunction>();

function httpContract() {
  if (http) return http;
  const doc = load('openapi.json');
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', $defs: rebase(doc.components.schemas, 'openapi', '$defs') as Json });
  const routes = Object.keys(doc.paths).map((template) => {
    const segments = template.split('/').filter(Boolean);
    const source = segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
    return { path: template, pattern: new RegExp(`^/${source}/?$`), literal: segments.filter((s) => !s.startsWith('{')).length };
  });
  routes.sort((a, b) => b.literal - a.literal);
  http = { doc, ajv, routes };
  return http;
}

function validator(ajv: Ajv | Ajv2020, key: string, schema: unknown, id: string, defs: string): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(rebase(schema, id, defs) as Json);
    compiled.set(key, validate);
  }
  return validate;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`).join('; ');
}

function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) throw new ContractViolation(`${what} does not match the API description: ${describe(validate)}\n${JSON.stringify(value).slice(0, 800)}`);
}

/** API Gateway's own answers (`{"message": ...}`): a body over its limit, a malformed path, an integration failure or timeout. */
const GATEWAY_STATUSES = new Set([400, 413, 500, 503]);

export interface ReceivedResponse {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

/** Throws a ContractViolation when the response is not what openapi.json says this operation answers. */
export function checkHttpResponse(response: ReceivedResponse): void {
  const { doc, ajv, routes } = httpContract();
  const url = new URL(response.url);
  if (url.pathname.startsWith('/media/')) return; // media bytes (CloudFront in AWS), not the API
  const what = `${response.method} ${url.pathname} -> ${response.status}`;
  // A request line and headers over the server's limit are refused before any route is chosen (API
  // Gateway caps them at 10 KB; the twin's Node server answers a bare 431): no operation answers it.
  if (response.status === 431 && response.text === '') return;
  const body = response.text === '' ? undefined : parse(response.text, what);
  const gateway = (): boolean => {
    if (!GATEWAY_STATUSES.has(response.status) || body === undefined) return false;
    return validator(ajv, 'GatewayError', { $ref: '#/components/schemas/GatewayError' }, 'openapi', '$defs')(body);
  };
  const route = routes.find((candidate) => candidate.pattern.test(url.pathname));
  const operation = route ? (doc.paths[route.path] as Json)[response.method.toLowerCase()] : undefined;
  if (!operation) {
    // The `$default` route (NoRoute): DRF's 404 for a path nothing serves; 401 then 405 for another method; 204 for a preflight.
    if (response.method === 'OPTIONS' && response.status === 204) return;
    if (gateway()) return;
    if (![401, 404, 405].includes(response.status)) throw new ContractViolation(`${what}: no operation is documented and the fallback answers only 401, 404 or 405`);
    check(validator(ajv, 'DetailError', { $ref: '#/components/schemas/DetailError' }, 'openapi', '$defs'), body, what);
    return;
  }
  const documented = operation.responses[String(response.status)] as Json | undefined;
  if (!documented) {
    if (gateway()) return;
    throw new ContractViolation(`${what}: status ${response.status} is not documented for ${operation.operationId} (documented: ${Object.keys(operation.responses).join(', ')})`);
  }
  if (response.status === 429 && !response.headers.get('retry-after')) throw new ContractViolation(`${what}: 429 without Retry-After`);
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) {
    if (response.text !== '') throw new ContractViolation(`${what}: documented without a body, got ${response.text.slice(0, 200)}`);
    return;
  }
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) throw new ContractViolation(`${what}: content-type ${response.headers.get('content-type')}, documented application/json`);
  try {
    check(validator(ajv, `${route!.path} ${response.method} ${response.status}`, schema, 'openapi', '$defs'), body, what);
  } catch (error) {
    if (gateway()) return;
    throw error;
  }
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ContractViolation(`${what}: the body is not JSON: ${text.slice(0, 200)}`);
  }
}

function wsContract() {
  if (ws) return ws;
  const doc = load('asyncapi.json');
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'asyncapi', definitions: rebase(doc.components.schemas, 'asyncapi', 'definitions') as Json });
  const byType = new Map<string, ValidateFunction>();
  let gateway: ValidateFunction | undefined;
  for (const [name, message] of Object.entries(doc.components.messages as Json)) {
    const validate = ajv.compile(rebase((message as Json).payload, 'asyncapi', 'definitions') as Json);
    if (name === 'gateway_frame') gateway = validate;
    else if ((message as Json)['x-audiences'] !== undefined) byType.set(name, validate);
  }
  ws = { ajv, byType, gateway: gateway! };
  return ws;
}

/** Throws a ContractViolation when a frame the server sent is not an event asyncapi.json describes. */
export function checkServerFrame(text: string): void {
  const { byType, gateway } = wsContract();
  const frame = parse(text, 'WebSocket frame') as Json;
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) throw new ContractViolation(`WebSocket frame is not an object: ${text.slice(0, 200)}`);
  if (!('type' in frame)) return check(gateway, frame, 'WebSocket gateway frame');
  const validate = byType.get(String(frame.type));
  if (!validate) throw new ContractViolation(`WebSocket event "${String(frame.type)}" is not documented`);
  check(validate, frame, `WebSocket event ${String(frame.type)}`);
}

/** Violations seen where no caller could be handed them (a socket's message handler); the setup file fails the test with them. */
export const pendingViolations: Error[] = [];
