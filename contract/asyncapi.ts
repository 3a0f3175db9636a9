import * as z from 'zod/mini';
import { componentSchemas, type JsonSchema } from './components.ts';
import { API_VERSION } from './openapi.ts';
import { clientMessageSchema, clientMessages, gatewayFrameSchema, pascal, serverEventSchema, serverEvents } from './realtime.ts';

/**
 * The AsyncAPI 3.0 document of the WebSocket API, from the protocol registries (contract/realtime.ts)
 * and the shared DTO schemas. Payloads are JSON Schema draft-07 (AsyncAPI's default schema format).
 */
export const serverEventSchemaName = (type: string) => `${pascal(type)}Event`;
export const clientMessageSchemaName = (type: string) => `${pascal(type)}Message`;
export const GATEWAY_FRAME = 'GatewayFrame';

const AUDIENCE_TEXT: Record<string, string> = {
  sender: 'the connection that sent the message',
  ventroom_feed: 'ventroom_feed (everyone who joined the feed)',
  'vent_post_{post_id}': 'vent_post_{post_id} (everyone who joined the post)',
};
const audienceText = (audience: string) => AUDIENCE_TEXT[audience] ?? `${audience} (every connection of that user)`;

export function asyncApiDocument(): JsonSchema {
  const extra: Record<string, z.ZodMiniType> = { [GATEWAY_FRAME]: gatewayFrameSchema };
  for (const spec of serverEvents.values()) extra[serverEventSchemaName(spec.type)] = serverEventSchema(spec);
  for (const spec of clientMessages.values()) extra[clientMessageSchemaName(spec.type)] = clientMessageSchema(spec);
  const schemas = componentSchemas('draft-07', '#/components/schemas/', extra);

  const messages: Record<string, unknown> = {};
  const channelMessages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const channel = { $ref: '#/channels/socket' };
  const messageRef = (name: string) => ({ $ref: `#/channels/socket/messages/${name}` });

  for (const spec of clientMessages.values()) {
    messages[spec.type] = {
      name: spec.type,
      title: spec.type,
      summary: spec.summary,
      payload: { $ref: `#/components/schemas/${clientMessageSchemaName(spec.type)}` },
    };
  }
  for (const spec of serverEvents.values()) {
    messages[spec.type] = {
      name: spec.type,
      title: spec.type,
      summary: spec.summary,
      description: `Sent to: ${spec.audiences.map(audienceText).join('; ')}.`,
      payload: { $ref: `#/components/schemas/${serverEventSchemaName(spec.type)}` },
      'x-audiences': spec.audiences,
      'x-kind': spec.kind,
    };
  }
  messages.gateway_frame = {
    name: 'gateway_frame',
    title: "API Gateway's own frame",
    summary: 'No route could take the message (e.g. a binary frame), or the integration failed.',
    payload: { $ref: `#/components/schemas/${GATEWAY_FRAME}` },
    'x-audiences': ['sender'],
  };
  for (const name of Object.keys(messages)) channelMessages[name] = { $ref: `#/components/messages/${name}` };

  for (const spec of clientMessages.values()) {
    const operation: Record<string, unknown> = { action: 'send', channel, summary: spec.summary, messages: [messageRef(spec.type)] };
    if (spec.replies.length > 0) operation.reply = { channel, messages: [...spec.replies, 'error'].map(messageRef) };
    operations[`send${pascal(spec.type)}`] = operation;
  }
  for (const spec of serverEvents.values()) {
    operations[`receive${pascal(spec.type)}`] = { action: 'receive', channel, summary: spec.summary, messages: [messageRef(spec.type)] };
  }
  operations.receiveGatewayFrame = { action: 'receive', channel, messages: [messageRef('gateway_frame')] };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Vent Room real-time API',
      version: API_VERSION,
      description: [
        'The WebSocket half of the Vent Room API (the HTTP half: openapi.json), generated from the zod schemas of the protocol (`npm run docs:api`); the end-to-end tests validate every frame they receive against it.',
        '',
        'Every server message is `{type, data, timestamp, id}`: the same event can reach a connection through two groups, so clients drop copies by `id`. API Gateway closes a connection idle for 10 minutes and every connection after 2 hours: send `ping`, reconnect with backoff and join your groups again.',
        '',
        'Recovery: every broadcast except view counters carries `positions`, its offset (and the history epoch) in each of your groups it came through. Re-join with the last `offset` and `epoch` you received of a group (`recover_user` for your user group) and the events you missed are sent first, in order, then the reply says `recovered: true`; `recovered: false` means history cannot cover the gap (over 300 events, older than 24 hours, another epoch): refetch over HTTP. docs/realtime.md has the details.',
        '',
        'Groups: `ventroom_feed` (joined with join_ventroom), `vent_post_{post_id}` (join_ventroom_post), `user_{user_id}` (joined automatically at connect).',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:3001', protocol: 'ws', description: 'The offline twin (npm start)', security: [{ $ref: '#/components/securitySchemes/token' }, { $ref: '#/components/securitySchemes/bearer' }] },
      aws: {
        host: '{apiId}.execute-api.{region}.amazonaws.com',
        pathname: '/{stage}',
        protocol: 'wss',
        description: 'AWS (the stack output WebSocketUrl)',
        variables: { apiId: { default: 'example' }, region: { default: 'us-east-1' }, stage: { default: 'prod' } },
        security: [{ $ref: '#/components/securitySchemes/token' }, { $ref: '#/components/securitySchemes/bearer' }],
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'The connection',
        description: 'One socket carries every message; groups decide which broadcasts reach it.',
        messages: channelMessages,
        bindings: { ws: { query: { type: 'object', properties: { token: { type: 'string', description: 'The JWT (browsers cannot set headers on a WebSocket)' }, protocol: { type: 'string', enum: ['1', '2'], description: '2: batched frames (`batch` events, docs/realtime.md); absent or 1: one frame per event. Any other value: 400.' } } } } },
      },
    },
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        token: { type: 'httpApiKey', name: 'token', in: 'query', description: 'The JWT as ?token=' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Authorization: Bearer <JWT> (native clients)' },
      },
    },
  };
}
