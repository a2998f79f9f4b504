// A room session: looks the room up, connects with the event subprotocol
// (v2 when the server has it, else v1), feeds frames to the reducer, keeps
// the user's unacknowledged messages (also in sessionStorage) and re-sends
// them after a reconnect, and reconnects with backoff, telling the backend
// which host it lost. Framework-free: React subscribes to it
// (useSyncExternalStore); tests drive it with fakes.

import { ApiError, UnauthorizedError, lookupRoom as realLookup, type RoomLocation } from './api';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
import { decideAfterClose } from './closeDecision';
import { MessageIdSource, tabMessageIds } from './messageIds';
import {
  PENDING_MESSAGES_MAX,
  loadPending,
  pendingKey,
  savePending,
  tabStorage,
  type StorageLike,
} from './pendingStore';
import { EVENT_SUBPROTOCOLS, encodeMessage, parseServerFrames, wireProtocolOf } from './protocol';
import { initialRoomState, queuedItems, roomReducer, type RoomAction, type RoomState } from './roomState';

export type ConnectionStatus =
  | { kind: 'resolving'; attempt: number } // GET /api/rooms/:id
  | { kind: 'connecting'; attempt: number; host: string }
  // resumed: this connection follows a lost one (the banner says "back")
  | { kind: 'connected'; host: string; resumed: boolean; since: number }
  | { kind: 'waiting'; attempt: number; retryAt: number; reason: string } // backoff before the next attempt
  | { kind: 'not_found' }
  | { kind: 'rejected'; code: number; reason: string } // 1008 / 1013: no automatic retry
  | { kind: 'failed'; reason: string } // gave up after maxAttempts
  | { kind: 'unauthorized' }
  | { kind: 'closed' };

export interface SessionSnapshot {
  status: ConnectionStatus;
  room: RoomState;
}

export interface SocketLike {
  readonly readyState: number;
  /** the subprotocol the server chose ('' when it chose none) */
  readonly protocol: string;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SessionDeps {
  lookupRoom: (token: string, roomId: string, unreachable: string | null) => Promise<RoomLocation | null>;
  createSocket: (url: string, protocols: string[]) => SocketLike;
  now: () => number;
  random: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (id: unknown) => void;
  wsScheme: 'ws' | 'wss';
  backoff: BackoffOptions;
  /** where unacknowledged messages outlive a reload; null: memory only */
  storage: StorageLike | null;
  messageIds: MessageIdSource;
}

const OPEN = 1;

export function defaultDeps(): SessionDeps {
  return {
    lookupRoom: (t, r, unreachable) => realLookup(t, r, unreachable),
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
    now: () => Date.now(),
    random: Math.random,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (id) => window.clearTimeout(id as number),
    wsScheme: typeof location !== 'undefined' && location.protocol === 'https:' ? 'wss' : 'ws',
    backoff: DEFAULT_BACKOFF,
    storage: tabStorage(),
    messageIds: tabMessageIds(),
  };
}

export function socketUrl(scheme: 'ws' | 'wss', host: string, token: string): string {
  return `${scheme}://${host}/?token=${encodeURIComponent(token)}`;
}

export class RoomSession {
  private snap: SessionSnapshot;
  private listeners = new Set<() => void>();
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0; // failed attempts in a row
  private generation = 0; // invalidates callbacks of an abandoned attempt
  private stopped = false;
  private joinedBefore = false; // this session has been in the room (a later "Duplicate user" is our ghost)
  private unreachableHost: string | null = null; // told to the next look-up
  private readonly storageKey: string;

  constructor(
    private readonly roomId: string,
    private readonly userToken: string,
    selfId: string,
    private readonly deps: SessionDeps = defaultDeps(),
  ) {
    this.storageKey = pendingKey(roomId, selfId);
    const pending = loadPending(deps.storage, this.storageKey);
    this.snap = {
      status: { kind: 'resolving', attempt: 1 },
      room: initialRoomState(selfId, roomId, pending),
    };
  }

  // ---- store interface -------------------------------------------------
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getSnapshot = (): SessionSnapshot => this.snap;

  private setStatus(status: ConnectionStatus) {
    this.snap = { ...this.snap, status };
    this.emit();
  }
  private dispatch(action: RoomAction) {
    const before = this.snap.room;
    const room = roomReducer(before, action);
    if (room === before) return;
    this.snap = { ...this.snap, room };
    // written before anyone is told, so a reload at any moment finds it
    if (room.outbox !== before.outbox) savePending(this.deps.storage, this.storageKey, room.outbox);
    this.emit();
  }
  private emit() {
    for (const fn of [...this.listeners]) fn();
  }

  // ---- lifecycle -------------------------------------------------------
  start() {
    this.stopped = false;
    void this.connect();
  }

  /** Leave the room for good (unmount). Unacknowledged messages stay stored for a reload. */
  stop() {
    this.stopped = true;
    this.generation++;
    this.clearTimer();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      try {
        s.close(1000, 'Leaving');
      } catch {
        /* ignore */
      }
    }
    this.setStatus({ kind: 'closed' });
  }

  /** "Reconnect now" / "Retry": skip the countdown, start over the attempt count if we gave up. */
  reconnectNow() {
    if (this.stopped) return;
    const k = this.snap.status.kind;
    if (k === 'connected' || k === 'connecting' || k === 'resolving') return;
    if (k !== 'waiting') this.attempt = 0;
    this.clearTimer();
    void this.connect();
  }

  private clearTimer() {
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
  }

  private async connect() {
    const gen = ++this.generation;
    const attemptNo = this.attempt + 1;
    this.setStatus({ kind: 'resolving', attempt: attemptNo });
    let loc: RoomLocation | null;
    try {
      // every attempt looks the room up again: it may have moved, and the
      // session token is short-lived
      loc = await this.deps.lookupRoom(this.userToken, this.roomId, this.unreachableHost);
    } catch (err) {
      if (gen !== this.generation) return;
      if (err instanceof UnauthorizedError) {
        this.setStatus({ kind: 'unauthorized' });
        return;
      }
      if (err instanceof ApiError) {
        // 503 / 429 say when to come back: never sooner than that
        this.scheduleRetry(err.message, (err.retryAfter ?? 0) * 1000);
      } else {
        this.scheduleRetry('Cannot reach the server');
      }
      return;
    }
    if (gen !== this.generation) return;
    this.unreachableHost = null;
    if (!loc) {
      this.dispatch({ type: 'disconnected' });
      this.setStatus({ kind: 'not_found' });
      return;
    }
    this.open(gen, attemptNo, loc);
  }

  private open(gen: number, attemptNo: number, loc: RoomLocation) {
    const host = loc.host;
    this.setStatus({ kind: 'connecting', attempt: attemptNo, host });
    let socket: SocketLike;
    try {
      socket = this.deps.createSocket(socketUrl(this.deps.wsScheme, host, loc.token), EVENT_SUBPROTOCOLS);
    } catch {
      this.scheduleRetry('Cannot open a connection');
      return;
    }
    this.socket = socket;
    socket.onmessage = (ev) => {
      if (gen !== this.generation) return;
      // known once the upgrade is done, so before the first frame
      this.dispatch({ type: 'opened', protocol: wireProtocolOf(socket.protocol ?? '') });
      // Garbage and unknown events are dropped by the parser.
      for (const frame of parseServerFrames(ev.data)) {
        this.dispatch({ type: 'frame', frame });
        if (frame.type === 'snapshot') this.onJoined(host);
      }
    };
    socket.onclose = (ev) => {
      if (gen !== this.generation) return;
      this.socket = null;
      this.dispatch({ type: 'disconnected' });
      const decision = decideAfterClose(ev, host, this.joinedBefore);
      if (decision.kind === 'rejected') {
        this.setStatus({ kind: 'rejected', code: decision.code, reason: decision.reason });
        return;
      }
      this.unreachableHost = decision.unreachableHost;
      this.scheduleRetry(decision.reason);
    };
    socket.onerror = () => {
      /* onclose follows and decides */
    };
  }

  private onJoined(host: string) {
    this.attempt = 0;
    if (this.snap.status.kind !== 'connected') {
      const resumed = this.joinedBefore;
      this.setStatus({ kind: 'connected', host, resumed, since: this.deps.now() });
    }
    this.joinedBefore = true;
    this.flushQueued();
  }

  /** Waits (backoff, and at least `minDelayMs`), then tries again. */
  private scheduleRetry(reason: string, minDelayMs = 0) {
    if (this.stopped) return;
    this.attempt++;
    if (this.attempt >= this.deps.backoff.maxAttempts) {
      this.setStatus({ kind: 'failed', reason });
      return;
    }
    const delay = Math.max(minDelayMs, backoffDelay(this.attempt, this.deps.random, this.deps.backoff));
    const retryAt = this.deps.now() + delay;
    this.setStatus({ kind: 'waiting', attempt: this.attempt + 1, retryAt, reason });
    this.clearTimer();
    this.timer = this.deps.setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.snap.status.kind === 'connected';
  }

  private write(id: string, text: string) {
    this.socket!.send(encodeMessage(this.snap.room.protocol, id, text));
  }

  /** After a snapshot: everything unacknowledged goes out again, in the order it was typed. */
  private flushQueued() {
    const queued = queuedItems(this.snap.room);
    if (queued.length === 0 || !this.isOpen()) return;
    for (const item of queued) this.write(item.id, item.text);
    this.dispatch({ type: 'flushed' });
  }

  // ---- user actions ----------------------------------------------------
  /** Returns false when the text is empty or too long, or too much is pending (nothing is queued). */
  send(text: string): boolean {
    if (text.trim().length === 0) return false;
    if (text.length > this.snap.room.limits.maxMessageLength) return false;
    if (this.snap.room.outbox.length >= PENDING_MESSAGES_MAX) {
      this.dispatch({
        type: 'localNotice',
        notice: {
          code: 'too_many_pending',
          message: `${PENDING_MESSAGES_MAX} messages are still waiting to be sent: send more once they are`,
        },
      });
      return false;
    }
    const connected = this.isOpen();
    const id = this.deps.messageIds.next();
    if (connected) this.write(id, text);
    this.dispatch({ type: 'send', id, text, now: this.deps.now(), connected });
    return true;
  }

  retry(id: string) {
    const item = this.snap.room.outbox.find((o) => o.id === id && o.status === 'failed');
    if (!item) return;
    const connected = this.isOpen();
    if (connected) this.write(item.id, item.text);
    this.dispatch({ type: 'retry', id, connected });
  }

  discard(id: string) {
    this.dispatch({ type: 'discard', id });
  }

  dismissNotice() {
    this.dispatch({ type: 'dismissNotice' });
  }
}
