// Pure reducer from server frames and local actions to the room's state.
// No React, no DOM, no timers: everything here is unit-tested.

import { DEFAULT_LIMITS, type ChatMessage, type Limits, type ServerError, type ServerFrame } from './protocol';

/**
 * A message the user typed that the server has not acknowledged yet.
 * - sending: written to the socket, waiting for its echo
 * - queued:  not on the wire (no connection); sent after the next snapshot
 * - failed:  refused by the server (`error` event); kept for a manual retry
 */
export type OutboxStatus = 'sending' | 'queued' | 'failed';

export interface OutboxItem {
  localId: string;
  text: string;
  createdAt: number;
  status: OutboxStatus;
  error?: ServerError;
}

export interface RoomState {
  selfId: string;
  roomId: string | null;
  /** true once a snapshot arrived (the room view can be shown) */
  joined: boolean;
  messages: ChatMessage[];
  outbox: OutboxItem[];
  users: string[];
  limits: Limits;
  /** an error the server sent that could not be tied to a message */
  notice: ServerError | null;
}

export type RoomAction =
  | { type: 'frame'; frame: ServerFrame }
  | { type: 'send'; localId: string; text: string; now: number; connected: boolean }
  | { type: 'disconnected' }
  | { type: 'flushed' }
  | { type: 'retry'; localId: string; connected: boolean }
  | { type: 'discard'; localId: string }
  | { type: 'dismissNotice' };

/** How many confirmed messages the client keeps in memory. */
export const MAX_KEPT_MESSAGES = 1000;

export function initialRoomState(selfId: string, roomId: string | null = null): RoomState {
  return {
    selfId,
    roomId,
    joined: false,
    messages: [],
    outbox: [],
    users: [],
    limits: { ...DEFAULT_LIMITS },
    notice: null,
  };
}

function messageKey(m: ChatMessage): string {
  return `${m.userId}\u0000${m.ts}\u0000${m.msg}`;
}

function capMessages(list: ChatMessage[]): ChatMessage[] {
  return list.length > MAX_KEPT_MESSAGES ? list.slice(list.length - MAX_KEPT_MESSAGES) : list;
}

/**
 * Removes from the outbox the first item with the given text whose status is
 * in `statuses` (in order: the oldest first). Returns null if none matched.
 */
function takeMatching(outbox: OutboxItem[], text: string, statuses: OutboxStatus[]): OutboxItem[] | null {
  const i = outbox.findIndex((o) => o.text === text && statuses.includes(o.status));
  if (i < 0) return null;
  return [...outbox.slice(0, i), ...outbox.slice(i + 1)];
}

function applySnapshot(state: RoomState, frame: Extract<ServerFrame, { type: 'snapshot' }>): RoomState {
  // Messages of ours that the snapshot holds but we had not seen before are
  // acknowledgements of in-flight / queued messages (e.g. delivered just before
  // the connection dropped): match them by text, oldest first.
  const known = new Set(state.messages.map(messageKey));
  let outbox = state.outbox;
  for (const m of frame.messages) {
    if (m.userId !== state.selfId || known.has(messageKey(m))) continue;
    const next = takeMatching(outbox, m.msg, ['sending', 'queued']);
    if (next) outbox = next;
  }
  let notice = state.notice;
  if (frame.error) {
    // seed compatibility mode: the refusal rides on the snapshot
    const r = failOldestSending({ ...state, outbox }, frame.error);
    outbox = r.outbox;
    notice = r.notice;
  }
  return {
    ...state,
    roomId: frame.roomId ?? state.roomId,
    joined: true,
    messages: capMessages(state.joined ? mergeHistory(state.messages, frame.messages) : frame.messages),
    users: frame.connectedUsers,
    limits: frame.limits,
    outbox,
    notice,
  };
}

/**
 * A snapshot after a reconnect holds the room's most recent messages. Keep the
 * older ones we already show: if the snapshot overlaps our list, it replaces
 * the overlapping tail; if it does not (the room restarted on another server
 * and lost its history, or we missed more than a snapshot's worth), it is
 * appended after what we had.
 */
export function mergeHistory(ours: ChatMessage[], snapshot: ChatMessage[]): ChatMessage[] {
  if (snapshot.length === 0) return ours;
  const firstKey = messageKey(snapshot[0]);
  for (let i = ours.length - 1; i >= 0; i--) {
    if (messageKey(ours[i]) === firstKey) return [...ours.slice(0, i), ...snapshot];
  }
  return [...ours, ...snapshot];
}

function failOldestSending(state: RoomState, error: ServerError): Pick<RoomState, 'outbox' | 'notice'> {
  const i = state.outbox.findIndex((o) => o.status === 'sending');
  if (i < 0) return { outbox: state.outbox, notice: error };
  const outbox = state.outbox.slice();
  outbox[i] = { ...outbox[i], status: 'failed', error };
  return { outbox, notice: state.notice };
}

export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case 'frame': {
      const f = action.frame;
      switch (f.type) {
        case 'snapshot':
          return applySnapshot(state, f);
        case 'message': {
          const m: ChatMessage = { userId: f.userId, msg: f.msg, ts: f.ts };
          let outbox = state.outbox;
          if (m.userId === state.selfId) {
            const next = takeMatching(outbox, m.msg, ['sending']);
            if (next) outbox = next;
          }
          return { ...state, messages: capMessages([...state.messages, m]), outbox };
        }
        case 'join':
          if (state.users.includes(f.userId)) return state;
          return { ...state, users: [...state.users, f.userId] };
        case 'leave':
          if (!state.users.includes(f.userId)) return state;
          return { ...state, users: state.users.filter((u) => u !== f.userId) };
        case 'error':
          return { ...state, ...failOldestSending(state, { code: f.code, message: f.message }) };
      }
      return state;
    }
    case 'send':
      return {
        ...state,
        outbox: [
          ...state.outbox,
          {
            localId: action.localId,
            text: action.text,
            createdAt: action.now,
            status: action.connected ? 'sending' : 'queued',
          },
        ],
      };
    case 'disconnected':
      // Whatever was in flight may or may not have reached the server: keep it
      // queued; the next snapshot tells (applySnapshot) and the rest is re-sent.
      if (!state.outbox.some((o) => o.status === 'sending')) return state;
      return {
        ...state,
        outbox: state.outbox.map((o) => (o.status === 'sending' ? { ...o, status: 'queued' as const } : o)),
      };
    case 'flushed':
      // the caller wrote every queued item to the socket, in order
      if (!state.outbox.some((o) => o.status === 'queued')) return state;
      return {
        ...state,
        outbox: state.outbox.map((o) => (o.status === 'queued' ? { ...o, status: 'sending' as const } : o)),
      };
    case 'retry': {
      const i = state.outbox.findIndex((o) => o.localId === action.localId && o.status === 'failed');
      if (i < 0) return state;
      // a retried message goes to the end: it is a new send, ordered after the others
      const item: OutboxItem = { ...state.outbox[i], status: action.connected ? 'sending' : 'queued', error: undefined };
      return { ...state, outbox: [...state.outbox.slice(0, i), ...state.outbox.slice(i + 1), item] };
    }
    case 'discard':
      return { ...state, outbox: state.outbox.filter((o) => o.localId !== action.localId) };
    case 'dismissNotice':
      return state.notice ? { ...state, notice: null } : state;
  }
}

/** The queued items, oldest first: what to write to the socket after a snapshot. */
export function queuedItems(state: RoomState): OutboxItem[] {
  return state.outbox.filter((o) => o.status === 'queued');
}
