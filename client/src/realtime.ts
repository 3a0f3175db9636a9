import { ThrottledError } from './errors.ts';
import type { ServerEvent, ServerEventMap, ServerEventType } from './generated/api-types.ts';

/**
 * The WebSocket API with the contract's best practices built in:
 * - keepalive: a `ping` well inside API Gateway's 10-minute idle close; a socket that stops
 *   answering is dropped and replaced;
 * - reconnection after ANY close (network, idle, the 2-hour cap, a server restart) with exponential
 *   backoff and full jitter, and a fresh token each time;
 * - every group joined (feed, posts) is joined again on every new socket;
 * - events are deduplicated by `id` (the same event can arrive through two groups, or twice);
 * - recovery: events carry their offset in each group (`positions`); the client keeps, per group,
 *   the offset up to which it has every event, and a re-join (and `recover_user` for the user's own
 *   group) asks the server to send what came after it. `recovered: true` means nothing was missed;
 *   otherwise the `onResync` callback tells the app to refetch what that group shows;
 * - view tracking: `trackView` ids are batched into `mark_as_viewed` calls and queued while offline.
 * No Node-only APIs: the global WebSocket (browsers, React Native, Node 22+) or one passed in.
 */
export type Group = { kind: 'feed' } | { kind: 'post'; postId: number };
/** What `onResync` may name: a joined group, or the user's own group (notifications about the user's content). */
export type ResyncGroup = Group | { kind: 'user' };
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

type WsLike = {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
};
type WsConstructor = new (url: string) => WsLike;

export interface RealtimeOptions {
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:3001` or the stack's WebSocketUrl. */
  url: string | (() => string);
  /** The JWT, asked for on every (re)connect so it can be refreshed. */
  token: string | (() => string | Promise<string>);
  WebSocket?: WsConstructor;
  /** Ping this often while open (default 4 minutes: well inside the 10-minute idle close). */
  pingIntervalMs?: number;
  /** A socket silent this long after a ping is considered dead and replaced (default 20 s). */
  pongTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** 0..1 (tests make the jitter predictable). */
  random?: () => number;
  /** Sends tracked views (usually `client.markAsViewed`); required for `trackView`. */
  markAsViewed?: (postIds: number[]) => Promise<unknown>;
  /** Wait this long to batch tracked views (default 250 ms). */
  viewBatchMs?: number;
  /** After a reconnect the server could not replay from, or a protocol-2 frame that skipped older events: refetch what this group shows. */
  onResync?: (group: ResyncGroup) => void;
  /** How many event ids to remember for deduplication (default 2000). */
  dedupSize?: number;
  /**
   * 2: the server packs each group's events into `batch` frames (at most one a second per group, the
   * feed's slower for a big audience; docs/realtime.md), cheaper for both sides; listeners still get
   * one event at a time. Default 1: the spec's one frame per event.
   */
  protocol?: 1 | 2;
}

type Listener = (event: ServerEvent) => void;

const OPEN = 1;
const groupKey = (group: Group) => (group.kind === 'feed' ? 'feed' : `post:${group.postId}`);
/** The server's name of a group (the `positions` keys). */
const groupName = (group: Group) => (group.kind === 'feed' ? 'ventroom_feed' : `vent_post_${group.postId}`);

/**
 * Where the client stands in one group's history: every event up to `offset` was received; later
 * ones that arrived early (live events overtaking a replay, two fan-outs racing) wait in `ahead`.
 */
interface Standing {
  offset: number;
  epoch: string;
  ahead: Set<number>;
}

export class RealtimeClient {
  state: ConnectionState = 'idle';
  /** How many sockets have opened (1 + reconnects). */
  connections = 0;
  private socket: WsLike | undefined;
  private readonly groups = new Map<string, Group>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly frameListeners = new Set<(frame: unknown) => void>();
  private readonly seen = new Set<string>();
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private viewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pendingViews = new Set<number>();
  private sendingViews = false;
  /** Per group name (`ventroom_feed`, `vent_post_7`, `user_…`), what the client has of its history. */
  private readonly standings = new Map<string, Standing>();
  /** The user's own group's name, learnt from the first `user_recovered`. */
  private userGroup: string | undefined;
  private readonly waiters: { test: (event: ServerEvent) => boolean; resolve: (event: ServerEvent) => void }[] = [];
  private stopped = false;

  constructor(private readonly options: RealtimeOptions) {}

  /** Opens the socket (and keeps one open until `close`). */
  connect(): void {
    this.stopped = false;
    if (this.socket || this.reconnectTimer) return;
    void this.open();
  }

  /** Closes for good: no reconnect. Queued views stay queued. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopKeepalive();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'Client closed');
    this.setState('closed');
  }

  /** Joins the feed (ventroom_feed) now and after every reconnect; resolves on the server's confirmation. */
  joinFeed(): Promise<ServerEvent> {
    return this.join({ kind: 'feed' });
  }
  leaveFeed(): void {
    this.leave({ kind: 'feed' });
  }
  /** Joins a post's group (comments, reactions, views of that post), now and after every reconnect. */
  joinPost(postId: number): Promise<ServerEvent> {
    return this.join({ kind: 'post', postId });
  }
  leavePost(postId: number): void {
    this.leave({ kind: 'post', postId });
  }
  joinedGroups(): Group[] {
    return [...this.groups.values()];
  }

  /** Listens to one event type (deduplicated); returns the unsubscribe function. */
  on<T extends ServerEventType>(type: T, listener: (event: ServerEventMap[T]) => void): () => void {
    return this.listen(type, listener as Listener);
  }
  /** Listens to every event (deduplicated). */
  onAny(listener: Listener): () => void {
    return this.listen('*', listener);
  }
  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
  /** Every frame as received, before deduplication (for logs and consoles). */
  onFrame(listener: (frame: unknown) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** The next event that matches (after this call). */
  next<T extends ServerEventType>(type: T, predicate: (event: ServerEventMap[T]) => boolean = () => true, timeoutMs = 15_000): Promise<ServerEventMap[T]> {
    return new Promise((resolve, reject) => {
      const waiter = {
        test: (event: ServerEvent) => event.type === type && predicate(event as ServerEventMap[T]),
        resolve: (event: ServerEvent) => {
          clearTimeout(timer);
          resolve(event as ServerEventMap[T]);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Counts a view of this post: batched into mark_as_viewed, and kept until it has been sent (offline included). */
  trackView(...postIds: number[]): void {
    if (!this.options.markAsViewed) throw new Error('trackView needs the markAsViewed option');
    for (const id of postIds) this.pendingViews.add(id);
    this.scheduleViews();
  }
  /** Views tracked but not sent yet. */
  queuedViews(): number[] {
    return [...this.pendingViews];
  }

  /** Sends a raw client message (when open); returns whether it was sent. */
  send(message: { type: string; data?: unknown }): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private listen(key: string, listener: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async open(): Promise<void> {
    this.setState(this.connections === 0 ? 'connecting' : 'reconnecting');
    let token: string;
    try {
      token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const base = typeof this.options.url === 'function' ? this.options.url() : this.options.url;
    const Ws = this.options.WebSocket ?? (globalThis as unknown as { WebSocket: WsConstructor }).WebSocket;
    const protocol = this.options.protocol === 2 ? '&protocol=2' : '';
    const socket = new Ws(`${base.replace(/\/+$/, '')}/?token=${encodeURIComponent(token)}${protocol}`);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const reconnected = this.connections > 0;
      this.connections += 1;
      this.attempt = 0;
      this.setState('open');
      this.startKeepalive();
      this.sendRecoverUser();
      for (const group of this.groups.values()) this.sendJoin(group, reconnected);
      this.scheduleViews(0);
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(String(event.data));
    };
    socket.onerror = () => {
      // A close follows; reconnection happens there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.stopKeepalive();
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  /** Exponential backoff with full jitter: a random delay up to min(max, initial * 2^attempt). */
  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const { initialMs = 500, maxMs = 30_000 } = this.options.backoff ?? {};
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.max(50, Math.round((this.options.random ?? Math.random)() * ceiling));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) void this.open();
    }, delay);
  }

  private startKeepalive(): void {
    this.stopKeepalive();
    const interval = this.options.pingIntervalMs ?? 4 * 60 * 1000;
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: 'ping' })) return;
      clearTimeout(this.pongTimer);
      // Any frame counts as life (receive() clears this); silence means a dead socket.
      this.pongTimer = setTimeout(() => this.socket?.close(4000, 'No pong'), this.options.pongTimeoutMs ?? 20_000);
    }, interval);
  }

  private stopKeepalive(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  private join(group: Group): Promise<ServerEvent> {
    this.groups.set(groupKey(group), group);
    const reply =
      group.kind === 'feed'
        ? this.next('ventroom_joined')
        : this.next('ventroom_post_joined', (event) => event.data.post_id === group.postId);
    this.sendJoin(group, false);
    return reply;
  }

  private leave(group: Group): void {
    this.groups.delete(groupKey(group));
    this.standings.delete(groupName(group));
    if (group.kind === 'feed') this.send({ type: 'leave_ventroom' });
    else this.send({ type: 'leave_ventroom_post', data: { post_id: group.postId } });
  }

  /** A join; after a reconnect it asks for what the group sent since the last event the client has. */
  private sendJoin(group: Group, resume: boolean): void {
    const standing = resume ? this.standings.get(groupName(group)) : undefined;
    const since = standing ? { offset: standing.offset, epoch: standing.epoch } : undefined;
    const sent =
      group.kind === 'feed'
        ? this.send({ type: 'join_ventroom', ...(since ? { data: since } : {}) })
        : this.send({ type: 'join_ventroom_post', data: { post_id: group.postId, ...since } });
    if (!sent || !resume) return;
    const confirm =
      group.kind === 'feed'
        ? this.next('ventroom_joined')
        : this.next('ventroom_post_joined', (event) => event.data.post_id === group.postId);
    this.resyncUnlessRecovered(confirm, group);
  }

  /** The user's own group is joined at connect: ask where it stands, or for what it sent meanwhile. */
  private sendRecoverUser(): void {
    const standing = this.userGroup ? this.standings.get(this.userGroup) : undefined;
    if (!this.send({ type: 'recover_user', ...(standing ? { data: { offset: standing.offset, epoch: standing.epoch } } : {}) })) return;
    if (standing) this.resyncUnlessRecovered(this.next('user_recovered'), { kind: 'user' });
  }

  /** Recovered when the server says so; otherwise the app refetches what the group shows. */
  private resyncUnlessRecovered(confirm: Promise<ServerEvent>, group: ResyncGroup): void {
    confirm.then(
      (event) => {
        if ((event as { standing?: { recovered?: unknown } }).standing?.recovered !== true) this.options.onResync?.(group);
      },
      () => this.options.onResync?.(group),
    );
  }

  /** A join's reply says where its group stands: the client has everything up to there (replayed, or refetched on a resync). */
  private stand(group: string, offset: number, epoch: string): void {
    const standing = this.standings.get(group);
    const ahead = standing && standing.epoch === epoch ? [...standing.ahead].filter((n) => n > offset) : [];
    const kept = standing && standing.epoch === epoch && standing.offset > offset ? standing.offset : offset;
    this.standings.set(group, { offset: kept, epoch, ahead: new Set(ahead) });
    this.advance(this.standings.get(group)!);
  }

  /** An event at `offset` of `group`: the standing moves on over every offset now received without a gap. */
  private received(group: string, offset: number, epoch: string): void {
    let standing = this.standings.get(group);
    if (!standing) return; // Not joined (yet): its join reply sets the start.
    if (standing.epoch !== epoch) {
      // A group's first event makes its epoch: a standing from before it ("", offset 0) takes it.
      if (standing.offset !== 0 || standing.epoch !== '') return;
      standing = { offset: 0, epoch, ahead: standing.ahead };
      this.standings.set(group, standing);
    }
    if (offset > standing.offset) standing.ahead.add(offset);
    this.advance(standing);
  }

  /**
   * The server left out the group's events up to `offset` (it had more waiting than it could catch
   * up on): the client counts itself caught up to there, so a later re-join does not ask for them
   * again, and the app refetches what the group shows.
   */
  private skippedThrough(group: string, offset: number): void {
    const standing = this.standings.get(group);
    if (!standing) return;
    if (offset > standing.offset) standing.offset = offset;
    for (const ahead of standing.ahead) if (ahead <= standing.offset) standing.ahead.delete(ahead);
    this.advance(standing);
    const resync = this.resyncGroupOf(group);
    if (resync) this.options.onResync?.(resync);
  }

  private resyncGroupOf(group: string): ResyncGroup | undefined {
    if (group === 'ventroom_feed') return { kind: 'feed' };
    const post = /^vent_post_(\d+)$/.exec(group);
    if (post) return { kind: 'post', postId: Number(post[1]) };
    return group === this.userGroup ? { kind: 'user' } : undefined;
  }

  private advance(standing: Standing): void {
    while (standing.ahead.delete(standing.offset + 1)) standing.offset += 1;
  }

  private receive(text: string): void {
    clearTimeout(this.pongTimer);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    for (const listener of this.frameListeners) listener(frame);
    const batch = frame as { type?: unknown; data?: { group?: unknown; events?: unknown; skipped?: { through_offset?: unknown } } };
    if (batch?.type === 'batch' && Array.isArray(batch.data?.events)) {
      // Protocol 2: the group's events in order, each handled as if it had come alone.
      for (const event of batch.data.events) this.dispatch(event);
      const through = batch.data.skipped?.through_offset;
      if (typeof batch.data.group === 'string' && typeof through === 'number') this.skippedThrough(batch.data.group, through);
      return;
    }
    this.dispatch(frame);
  }

  private dispatch(frame: unknown): void {
    const event = frame as ServerEvent & { positions?: Record<string, { offset?: unknown; epoch?: unknown }> };
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    // Before dropping copies: a copy can hold offsets of its own (a retried fan-out, another group).
    for (const [group, position] of Object.entries(event.positions ?? {})) {
      if (typeof position?.offset === 'number' && typeof position.epoch === 'string') this.received(group, position.offset, position.epoch);
    }
    if (typeof event.id === 'string') {
      if (this.seen.has(event.id)) return;
      this.seen.add(event.id);
      if (this.seen.size > (this.options.dedupSize ?? 2000)) this.seen.delete(this.seen.values().next().value as string);
    }
    this.noteStanding(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.test(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
    for (const listener of this.listeners.get(event.type) ?? []) listener(event);
    for (const listener of this.listeners.get('*') ?? []) listener(event);
  }

  /** Join replies and `user_recovered` carry where their group stands. */
  private noteStanding(event: ServerEvent): void {
    const standing = (event as { standing?: { group?: unknown; offset?: unknown; epoch?: unknown } }).standing;
    if (typeof standing?.group !== 'string' || typeof standing.offset !== 'number' || typeof standing.epoch !== 'string') return;
    if (event.type === 'user_recovered') this.userGroup = standing.group;
    this.stand(standing.group, standing.offset, standing.epoch);
  }

  private scheduleViews(delay = this.options.viewBatchMs ?? 250): void {
    if (this.pendingViews.size === 0 || this.viewTimer || this.sendingViews) return;
    this.viewTimer = setTimeout(() => {
      this.viewTimer = undefined;
      void this.flushViews();
    }, delay);
  }

  /** Sends queued views when online; on failure they stay queued for the next (re)connect. */
  private async flushViews(): Promise<void> {
    if (this.state !== 'open' || this.pendingViews.size === 0 || !this.options.markAsViewed) return;
    const batch = [...this.pendingViews].slice(0, 100);
    this.sendingViews = true;
    let retryAfterMs: number | undefined;
    try {
      await this.options.markAsViewed(batch);
      for (const id of batch) this.pendingViews.delete(id);
    } catch (error) {
      // Over the view-tracking budget (429): kept, and sent again once the window allows.
      // Otherwise offline or the server failed: kept, and retried.
      if (error instanceof ThrottledError) retryAfterMs = error.retryAfterSeconds * 1000;
    } finally {
      this.sendingViews = false;
    }
    if (this.pendingViews.size > 0 && this.state === 'open') this.scheduleViews(retryAfterMs);
  }
}
