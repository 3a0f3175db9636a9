import WebSocket from 'ws';
import { twin, type TestUser } from './api.ts';
import { checkServerFrame, pendingViolations } from './contract.ts';

export interface ServerMessage {
  id: string;
  type: string;
  data: any;
  timestamp: string;
}

/** Event types tests publish through the real pipeline themselves (not the API's events). */
const TEST_TYPES = new Set(['probe']);

/** A real WebSocket client against the twin that records everything it receives. */
export class WsClient {
  readonly received: ServerMessage[] = [];
  /** Of each received frame (same index): its size in bytes and when it arrived (ms). */
  readonly frames: { bytes: number; at: number }[] = [];
  private waiters: { test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  /** Types a test posts itself through the management API (not the API's events): not checked against the description. */
  private readonly ownTypes = new Set<string>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      // Every frame is checked against docs/api/asyncapi.json; a violation fails the test (contract-setup.ts).
      const message = JSON.parse(data.toString()) as ServerMessage;
      try {
        if (message?.type === 'batch' && Array.isArray((message.data as { events?: unknown })?.events)) {
          // Protocol 2: the envelope, then each event as if it had come alone. A feed batch on the
          // shared twin can hold another test's own events (broadcast.test.ts publishes `probe`).
          checkServerFrame(JSON.stringify({ ...message, data: { ...message.data, events: [] } }));
          for (const event of message.data.events as ServerMessage[]) if (!TEST_TYPES.has(event?.type)) checkServerFrame(JSON.stringify(event));
        } else if (!this.ownTypes.has(message?.type) && !TEST_TYPES.has(message?.type)) checkServerFrame(data.toString());
      } catch (error) {
        pendingViolations.push(error as Error);
      }
      this.received.push(message);
      this.frames.push({ bytes: (data as Buffer).length, at: Date.now() });
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  /** `wsUrl` names another twin's WebSocket endpoint (default: the project's twin). */
  static async connect(user?: TestUser, options: { via?: 'query' | 'header'; token?: string; wsUrl?: string; protocol?: string } = {}): Promise<WsClient> {
    const token = options.token ?? user?.token;
    const via = options.via ?? 'query';
    const base = options.wsUrl ?? twin().wsUrl;
    const query = new URLSearchParams();
    if (token && via === 'query') query.set('token', token);
    if (options.protocol !== undefined) query.set('protocol', options.protocol);
    const url = query.size ? `${base}/?${query}` : base;
    const socket = new WebSocket(url, { headers: token && via === 'header' ? { authorization: `Bearer ${token}` } : {} });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => reject(new WsRejected(response.statusCode ?? 0)));
      socket.once('error', reject);
    });
    return new WsClient(socket);
  }

  /** Frames of this type are the test's own (posted through @connections), not the API's. */
  acceptOwnType(type: string): void {
    this.ownTypes.add(type);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (already received or still to come) that matches. */
  next(type: string, predicate: (m: ServerMessage) => boolean = () => true, timeoutMs = 10_000): Promise<ServerMessage> {
    const test = (m: ServerMessage) => m.type === type && predicate(m);
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms; got ${this.received.map((m) => m.type).join(', ')}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Sends and waits for the reply of the given type. */
  async request(message: unknown, replyType: string): Promise<ServerMessage> {
    const before = this.received.length;
    this.send(message);
    return this.next(replyType, (m) => this.received.indexOf(m) >= before);
  }

  count(type: string, predicate: (m: ServerMessage) => boolean = () => true): number {
    return this.received.filter((m) => m.type === type && predicate(m)).length;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export class WsRejected extends Error {
  constructor(readonly status: number) {
    super(`WebSocket upgrade rejected with ${status}`);
  }
}
