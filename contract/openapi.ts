import { httpRoutes, type HttpMethod } from '../lambdas/manifest.ts';
import { componentSchemas, inputSchema, namedSchemas, type JsonSchema } from './components.ts';
import { mediaJsonShape } from './http-schemas.ts';
import { operations, type OperationSpec } from './http-operations.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, from the manifest (paths, methods), the request shapes
 * the handlers validate with and the response schemas the DTO types derive from. Deterministic:
 * `npm run docs:api` writes it and a test fails when the committed file differs.
 */
export const API_VERSION = '1.0.0';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

const ERROR_DESCRIPTIONS: Record<number, [string, string]> = {
  400: ['Validation failed: `{"field": ["message"]}` (DRF), or `{"detail": "JSON parse error - ..."}`', 'BadRequest'],
  401: ['No, a bad or an expired token', 'DetailError'],
  403: ['Not the owner nor an admin', 'DetailError'],
  404: ['No such object (or page: `{"detail": "Invalid page."}`)', 'DetailError'],
  413: ['The body is over API Gateway\'s limit (answered by the gateway)', 'GatewayError'],
  415: ['Unsupported Content-Type', 'DetailError'],
  429: ['Rate limited; `Retry-After` says when to try again', 'DetailError'],
  500: ['Internal server error (nothing more is said)', 'DetailError'],
};

function errorResponse(status: number) {
  const [description, schema] = ERROR_DESCRIPTIONS[status]!;
  const response: Record<string, unknown> = { description, content: json(ref(schema)) };
  if (status === 429) response.headers = { 'Retry-After': { description: 'Seconds until the window resets', schema: { type: 'integer', minimum: 1 } } };
  return response;
}

const pathParameter = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'integer', minimum: 1 } });
const PAGE_PARAMETERS = [
  { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Page number (default 1); past the end: 404 `Invalid page.`' },
  { name: 'page_size', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 }, description: 'Results per page (default 20, at most 100; a bad value means the default)' },
  { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'Opaque; carried by `next`/`previous` links so following them costs one query per page' },
];

function requestBody(spec: OperationSpec): JsonSchema | undefined {
  if (!spec.body) return undefined;
  const content: Record<string, unknown> = {};
  const jsonShape = spec.body.media ? { ...spec.body.shape, ...mediaJsonShape } : spec.body.shape;
  content['application/json'] = { schema: inputSchema(jsonShape) };
  const formShape = spec.body.media ? { ...spec.body.shape, media_key: mediaJsonShape.media_key, media_type: mediaJsonShape.media_type } : spec.body.shape;
  if (spec.body.media) {
    const form = inputSchema(formShape);
    (form.properties as JsonSchema).media = { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file (at most 4 MiB; larger files go through createUpload). Its bytes must really be `media_type`.' };
    content['multipart/form-data'] = { schema: form, encoding: { media: { contentType: 'image/*, video/*, audio/*' } } };
  }
  content['application/x-www-form-urlencoded'] = { schema: inputSchema(formShape) };
  return { required: !spec.queryShape, content };
}

function operation(spec: OperationSpec, pathParams: string[], rateLimited: boolean) {
  const responses: Record<string, unknown> = {};
  const success: Record<string, unknown> = { description: spec.success.description };
  if (spec.success.schema) success.content = json(ref(schemaName(spec.success.schema)));
  responses[String(spec.success.status)] = success;
  const statuses = new Set<number>([...spec.errors, 401, 500]);
  if (pathParams.length > 0) statuses.add(404);
  if (rateLimited) statuses.add(429);
  for (const status of [...statuses].sort()) responses[String(status)] = errorResponse(status);
  const parameters: unknown[] = pathParams.map(pathParameter);
  if (spec.paginated) parameters.push(...PAGE_PARAMETERS);
  if (spec.queryShape) {
    const query = inputSchema(spec.queryShape);
    for (const [name, schema] of Object.entries(query.properties as JsonSchema)) parameters.push({ name, in: 'query', required: false, schema, description: 'When the request has no body' });
  }
  const result: Record<string, unknown> = { operationId: spec.operationId, tags: [spec.tag], summary: spec.summary };
  if (spec.description) result.description = spec.description;
  if (parameters.length > 0) result.parameters = parameters;
  const body = requestBody(spec);
  if (body) result.requestBody = body;
  result.responses = responses;
  return result;
}

function schemaName(schema: unknown): string {
  const name = Object.entries(namedSchemas).find(([, candidate]) => candidate === schema)?.[0];
  if (!name) throw new Error('A response schema is not among the named components (contract/components.ts)');
  return name;
}

function localTwinPaths() {
  const tag = ['Local twin'];
  const note = 'Only on the offline twin (`npm start`), never deployed.';
  return {
    '/local/health': { get: { operationId: 'localHealth', tags: tag, summary: 'Ready check', description: note, security: [], responses: { 200: { description: 'Everything is up', content: json(ref('Health')) } } } },
    '/local/token': {
      post: {
        operationId: 'localToken', tags: tag, summary: 'Mint a dev JWT for any identity (admin included)', description: `${note} The same user_id is the same user; expires_in in seconds (default 3600).`, security: [],
        requestBody: { required: true, content: json(ref('TokenRequest')) },
        responses: { 200: { description: 'A token and the user it names', content: json(ref('TokenResponse')) }, 400: { description: 'Bad request', content: json(ref('DetailError')) } },
      },
    },
    '/local/drain': { post: { operationId: 'localDrain', tags: tag, summary: 'Wait until background work is done (queues empty)', description: note, security: [], responses: { 200: { description: 'Drained', content: json(ref('Drained')) } } } },
    '/local/jwks.json': { get: { operationId: 'localJwks', tags: tag, summary: "The dev issuer's public keys", description: note, security: [], responses: { 200: { description: 'JWKS', content: json(ref('Jwks')) } } } },
  };
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of httpRoutes) {
    const docs = operations[route.id];
    if (!docs) throw new Error(`Route ${route.id} has no entry in contract/http-operations.ts`);
    // The documented form of every path has the trailing slash (both are served).
    const path = `${route.path}/`;
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const item = (paths[path] ??= {});
    for (const method of route.methods) {
      const spec = docs[method as HttpMethod];
      if (!spec) throw new Error(`Route ${route.id} has no documentation for ${method}`);
      item[method.toLowerCase()] = operation(spec, params, route.rateClass !== 'none');
    }
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.1',
    info: {
      title: 'Vent Room API',
      version: API_VERSION,
      description:
        'The HTTP half of the Vent Room API (the WebSocket half: asyncapi.json). Generated from the zod schemas the handlers validate with (`npm run docs:api`); the end-to-end tests validate every response against it. Errors follow Django REST Framework. Every path also answers without its trailing slash.',
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'The offline twin (npm start)' },
      { url: 'https://{apiId}.execute-api.{region}.amazonaws.com', description: 'AWS (the stack output HttpApiUrl)', variables: { apiId: { default: 'example' }, region: { default: 'us-east-1' } } },
    ],
    security: [{ bearer: [] }],
    tags: [
      { name: 'Posts' }, { name: 'Comments' }, { name: 'Reactions' }, { name: 'Views' }, { name: 'Media' },
      { name: 'Local twin', description: 'Endpoints of the offline twin only' },
    ],
    paths: { ...sorted, ...localTwinPaths() },
    components: {
      schemas: componentSchemas('draft-2020-12', '#/components/schemas/'),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from the configured issuer (Cognito by default; locally POST /local/token)' } },
    },
  };
}
