// Fakes for driving a RoomSession in unit tests: a socket the test speaks
// for as the server, look-ups answered from a list, timers fired by hand,
// sessionStorage in memory. Imported only by *.test.ts files.

import type { RoomLocation } from './api';
import { MessageIdSource } from './messageIds';
import type { StorageLike } from './pendingStore';
import { EVENT_SUBPROTOCOL_V1 } from './protocol';
import { RoomSession, type SessionDeps, type SocketLike } from './session';

export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
    readonly protocol: string,
  ) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  // test helpers
  serverSends(obj: unknown) {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  serverCloses(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  /** v2 frames written, parsed */
  sentMessages(): { id: string; msg: string }[] {
    return this.sent.map((d) => JSON.parse(d) as { id: string; msg: string });
  }
}

export class MemoryStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

export interface HarnessOptions {
  /** the subprotocol the fake server echoes: v1 unless told */
  protocol?: string;
  storage?: MemoryStorage;
  idPrefix?: string;
}

/** Look-ups answer from `lookups` in turn (the last one repeats); an Error is thrown. */
export function harness(lookups: (RoomLocation | null | Error)[], options: HarnessOptions = {}) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const looked: string[] = [];
  const unreachable: (string | null)[] = [];
  const storage = options.storage ?? new MemoryStorage();
  let now = 0;
  const deps: SessionDeps = {
    lookupRoom: async (_t, roomId, host) => {
      looked.push(roomId);
      unreachable.push(host);
      const next = lookups.length > 1 ? lookups.shift()! : lookups[0];
      if (next instanceof Error) throw next;
      return next;
    },
    createSocket: (url, protocols) => {
      const s = new FakeSocket(url, protocols, options.protocol ?? EVENT_SUBPROTOCOL_V1);
      sockets.push(s);
      return s;
    },
    now: () => now,
    random: () => 0.5,
    setTimeout: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeout: () => {},
    wsScheme: 'ws',
    backoff: { baseMs: 1000, capMs: 8000, maxAttempts: 5 },
    storage,
    messageIds: new MessageIdSource(options.idPrefix ?? 'tab1'),
  };
  const session = new RoomSession('r1', 'user-token', 'alice', deps);
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const fireTimer = async () => {
    const t = timers.shift();
    if (!t) throw new Error('no timer');
    now += t.ms;
    t.fn();
    await flush();
  };
  const last = () => sockets[sockets.length - 1];
  return { session, sockets, last, timers, looked, unreachable, storage, flush, fireTimer };
}

export const loc = (host = 'h1:8000'): RoomLocation => ({ host, token: 'sess' });
export const snapshot = (users = ['alice'], messages: unknown[] = []) => ({
  type: 'snapshot',
  roomId: 'r1',
  messages,
  connectedUsers: users,
});
