// A room session: looks the room up, connects with the event subprotocol,
// feeds frames to the reducer, and reconnects with backoff. Framework-free:
// React subscribes to it (useSyncExternalStore); tests drive it with fakes.

import { ApiError, UnauthorizedError, lookupRoom as realLookup, type RoomLocation } from './api';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
import { EVENT_SUBPROTOCOL, describeClose, isTerminalClose, parseServerFrames } from './protocol';
import { initialRoomState, queuedItems, roomReducer, type RoomAction, type RoomState } from './roomState';

export type ConnectionStatus =
  | { kind: 'resolving'; attempt: number } // GET /api/rooms/:id
  | { kind: 'connecting'; attempt: number; host: string }
  | { kind: 'connected'; host: string }
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
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SessionDeps {
  lookupRoom: (token: string, roomId: string) => Promise<RoomLocation | null>;
  createSocket: (url: string, protocols: string[]) => SocketLike;
  now: () => number;
  random: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (id: unknown) => void;
  wsScheme: 'ws' | 'wss';
  backoff: BackoffOptions;
}

const OPEN = 1;

export function defaultDeps(): SessionDeps {
  return {
    lookupRoom: (t, r) => realLookup(t, r),
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
    now: () => Date.now(),
    random: Math.random,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (id) => window.clearTimeout(id as number),
    wsScheme: typeof location !== 'undefined' && location.protocol === 'https:' ? 'wss' : 'ws',
    backoff: DEFAULT_BACKOFF,
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
  private nextLocalId = 1;
  private stopped = false;
  private joinedBefore = false; // this session has been in the room (a later "Duplicate user" is our ghost)

  constructor(
    private readonly roomId: string,
    private readonly userToken: string,
    selfId: string,
    private readonly deps: SessionDeps = defaultDeps(),
  ) {
    this.snap = { status: { kind: 'resolving', attempt: 1 }, room: initialRoomState(selfId, roomId) };
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
    const room = roomReducer(this.snap.room, action);
    if (room !== this.snap.room) {
      this.snap = { ...this.snap, room };
      this.emit();
    }
  }
  private emit() {
    for (const fn of [...this.listeners]) fn();
  }

  // ---- lifecycle -------------------------------------------------------
  start() {
    this.stopped = false;
    void this.connect();
  }

  /** Leave the room for good (unmount). */
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
      loc = await this.deps.lookupRoom(this.userToken, this.roomId);
    } catch (err) {
      if (gen !== this.generation) return;
      if (err instanceof UnauthorizedError) {
        this.setStatus({ kind: 'unauthorized' });
        return;
      }
      const reason = err instanceof ApiError ? err.message : 'Cannot reach the server';
      this.scheduleRetry(reason);
      return;
    }
    if (gen !== this.generation) return;
    if (!loc) {
      this.dispatch({ type: 'disconnected' });
      this.setStatus({ kind: 'not_found' });
      return;
    }
    const host = loc.host;
    this.setStatus({ kind: 'connecting', attempt: attemptNo, host });
    let socket: SocketLike;
    try {
      socket = this.deps.createSocket(socketUrl(this.deps.wsScheme, host, loc.token), [EVENT_SUBPROTOCOL]);
    } catch {
      this.scheduleRetry('Cannot open a connection');
      return;
    }
    this.socket = socket;
    socket.onmessage = (ev) => {
      if (gen !== this.generation) return;
      // Garbage and unknown events are dropped by the parser.
      for (const frame of parseServerFrames(ev.data)) {
        this.dispatch({ type: 'frame', frame });
        if (frame.type === 'snapshot') {
          this.attempt = 0;
          this.joinedBefore = true;
          if (this.snap.status.kind !== 'connected') this.setStatus({ kind: 'connected', host });
          this.flushQueued();
        }
      }
    };
    socket.onclose = (ev) => {
      if (gen !== this.generation) return;
      this.socket = null;
      this.dispatch({ type: 'disconnected' });
      // After a dropped connection the server may still hold our old socket
      // until its pings time out: "Duplicate user" is then our own ghost, so
      // a reconnect keeps retrying instead of giving up.
      const ownGhost = this.joinedBefore && ev.code === 1008 && ev.reason === 'Duplicate user';
      if (isTerminalClose(ev.code) && !ownGhost) {
        this.setStatus({ kind: 'rejected', code: ev.code, reason: describeClose(ev.code, ev.reason) });
        return;
      }
      this.scheduleRetry(describeClose(ev.code, ev.reason));
    };
    socket.onerror = () => {
      /* onclose follows and decides */
    };
  }

  private scheduleRetry(reason: string) {
    if (this.stopped) return;
    this.attempt++;
    if (this.attempt >= this.deps.backoff.maxAttempts) {
      this.setStatus({ kind: 'failed', reason });
      return;
    }
    const delay = backoffDelay(this.attempt, this.deps.random, this.deps.backoff);
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

  private flushQueued() {
    const queued = queuedItems(this.snap.room);
    if (queued.length === 0 || !this.isOpen()) return;
    for (const item of queued) this.socket!.send(item.text);
    this.dispatch({ type: 'flushed' });
  }

  // ---- user actions ----------------------------------------------------
  /** Returns false when the text is empty or too long (nothing is queued). */
  send(text: string): boolean {
    if (text.trim().length === 0) return false;
    if (text.length > this.snap.room.limits.maxMessageLength) return false;
    const connected = this.isOpen();
    const localId = `local-${this.nextLocalId++}`;
    if (connected) this.socket!.send(text);
    this.dispatch({ type: 'send', localId, text, now: this.deps.now(), connected });
    return true;
  }

  retry(localId: string) {
    const item = this.snap.room.outbox.find((o) => o.localId === localId && o.status === 'failed');
    if (!item) return;
    const connected = this.isOpen();
    if (connected) this.socket!.send(item.text);
    this.dispatch({ type: 'retry', localId, connected });
  }

  discard(localId: string) {
    this.dispatch({ type: 'discard', localId });
  }

  dismissNotice() {
    this.dispatch({ type: 'dismissNotice' });
  }
}
