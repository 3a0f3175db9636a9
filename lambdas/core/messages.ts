import { randomUUID } from 'node:crypto';

/**
 * Every message the server sends over WebSocket: the spec's `{type, data, timestamp}` plus a unique
 * `id`, so a client that receives one event through two of its groups can drop the copy.
 */
export interface ServerMessage {
  id: string;
  type: string;
  data: unknown;
  timestamp: string;
}

export function serverMessage(type: string, data: unknown, now = new Date()): ServerMessage {
  return { id: randomUUID(), type, data, timestamp: now.toISOString() };
}
