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
  /**
   * Where the event sits in the history of each of the receiver's groups it came through (recovery
   * after reconnect, docs/realtime.md). Absent on replies and on view counters (state, not history).
   */
  positions?: Positions;
  /** On the reply to a join or `recover_user`: where that group stands, and whether a recovery worked. */
  standing?: Standing;
}

export interface Standing extends Position {
  group: string;
  /** Present when the client asked to recover: true once every missed event was sent again, in order. */
  recovered?: boolean;
}

/** An event's place in one group's history: its offset there, and the epoch that history belongs to. */
export interface Position {
  offset: number;
  epoch: string;
}

export type Positions = Record<string, Position>;

export function serverMessage(type: string, data: unknown, now = new Date()): ServerMessage {
  return { id: randomUUID(), type, data, timestamp: now.toISOString() };
}

/** A reply that says where its group stands (the spec's `data` stays as it is). */
export function withStanding(message: ServerMessage, standing: Standing): ServerMessage {
  return { ...message, standing };
}
