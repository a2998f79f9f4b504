// Pure reducer from server frames and local actions to the room's state.
// No React, no DOM, no timers: everything here is unit-tested.

import {
  DEFAULT_LIMITS,
  type ChatMessage,
  type Limits,
  type ServerError,
  type ServerFrame,
  type WireProtocol,
} from './protocol';

/**
 * A message the user typed that the server has not acknowledged yet.
 * - sending: written to the socket, waiting for its acknowledgement
 * - queued:  not on the wire (no connection); sent after the next snapshot
 * - failed:  refused by the server (`error` event); kept for a manual retry
 */
export type OutboxStatus = 'sending' | 'queued' | 'failed';

export interface OutboxItem {
  /** the message id (v2 sends it; v1 uses it only as the row's key) */
  id: string;
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
  /** the user's unacknowledged messages, in the order they were typed */
  outbox: OutboxItem[];
  /** of the current or last connection: how the outbox is acknowledged */
  protocol: WireProtocol;
  users: string[];
  limits: Limits;
  /** an error the server sent that could not be tied to a message */
  notice: ServerError | null;
}

export type RoomAction =
  | { type: 'opened'; protocol: WireProtocol }
  | { type: 'frame'; frame: ServerFrame }
  | { type: 'send'; id: string; text: string; now: number; connected: boolean }
  | { type: 'disconnected' }
  | { type: 'flushed' }
  | { type: 'retry'; id: string; connected: boolean }
  | { type: 'discard'; id: string }
  | { type: 'localNotice'; notice: ServerError } // a refusal of the client's own
  | { type: 'dismissNotice' };

/** How many confirmed messages the client keeps in memory. */
export const MAX_KEPT_MESSAGES = 1000;

/**
 * `outbox`: messages still unacknowledged from before (a reload of the tab),
 * queued to be sent once the room is joined.
 */
export function initialRoomState(
  selfId: string,
  roomId: string | null = null,
  outbox: OutboxItem[] = [],
): RoomState {
  return {
    selfId,
    roomId,
    joined: false,
    messages: [],
    outbox,
    protocol: 'v1',
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

function withoutIndex<T>(list: T[], i: number): T[] {
  return [...list.slice(0, i), ...list.slice(i + 1)];
}

/**
 * v1 has no ids: removes from the outbox the first item with the given text
 * whose status is in `statuses` (the oldest first). Null if none matched.
 */
function takeMatching(outbox: OutboxItem[], text: string, statuses: OutboxStatus[]): OutboxItem[] | null {
  const i = outbox.findIndex((o) => o.text === text && statuses.includes(o.status));
  return i < 0 ? null : withoutIndex(outbox, i);
}

/** v2: removes the unacknowledged item with this id. Null if there is none. */
function takeById(outbox: OutboxItem[], id: string): OutboxItem[] | null {
  const i = outbox.findIndex((o) => o.id === id && o.status !== 'failed');
  return i < 0 ? null : withoutIndex(outbox, i);
}

function isShown(messages: ChatMessage[], userId: string, id: string): boolean {
  return messages.some((m) => m.id === id && m.userId === userId);
}

function applySnapshot(state: RoomState, frame: Extract<ServerFrame, { type: 'snapshot' }>): RoomState {
  let outbox = state.outbox;
  if (state.protocol === 'v2') {
    // Snapshot entries carry no ids in the protocol as written; should a
    // server add them, they acknowledge exactly. Everything else stays
    // pending: it is re-sent, and the server acks what it already stored.
    for (const m of frame.messages) {
      if (m.userId !== state.selfId || !m.id) continue;
      outbox = takeById(outbox, m.id) ?? outbox;
    }
  } else {
    // v1: messages of ours that the snapshot holds but we had not seen before
    // acknowledge in-flight / queued ones (delivered just before the
    // connection dropped): matched by text, oldest first.
    const known = new Set(state.messages.map(messageKey));
    for (const m of frame.messages) {
      if (m.userId !== state.selfId || known.has(messageKey(m))) continue;
      outbox = takeMatching(outbox, m.msg, ['sending', 'queued']) ?? outbox;
    }
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
  return failAt(state, i, error);
}

function failAt(state: RoomState, i: number, error: ServerError): Pick<RoomState, 'outbox' | 'notice'> {
  if (i < 0) return { outbox: state.outbox, notice: error };
  const outbox = state.outbox.slice();
  outbox[i] = { ...outbox[i], status: 'failed', error };
  return { outbox, notice: state.notice };
}

function applyMessage(state: RoomState, m: ChatMessage): RoomState {
  // v2 delivers each message once; a second copy of an id already shown
  // (a server that re-broadcast a resend) is dropped rather than shown twice.
  if (m.id && isShown(state.messages, m.userId, m.id)) return state;
  let outbox = state.outbox;
  if (m.userId === state.selfId) {
    outbox = (m.id ? takeById(outbox, m.id) : takeMatching(outbox, m.msg, ['sending'])) ?? outbox;
  }
  return { ...state, messages: capMessages([...state.messages, m]), outbox };
}

/**
 * v2 `ack`: a re-sent message the server had stored before (its `message`
 * event was lost with the old connection). It is in the room's history, so
 * normally in the snapshot we just merged; if we show no message of ours
 * with its text, it is added, so nothing the user typed silently vanishes.
 */
function applyAck(state: RoomState, id: string): RoomState {
  const i = state.outbox.findIndex((o) => o.id === id && o.status !== 'failed');
  if (i < 0) return state;
  const item = state.outbox[i];
  const outbox = withoutIndex(state.outbox, i);
  const shown = state.messages.some((m) => m.userId === state.selfId && m.msg === item.text);
  if (shown) return { ...state, outbox };
  const m: ChatMessage = { userId: state.selfId, msg: item.text, ts: new Date(item.createdAt).toISOString(), id };
  return { ...state, outbox, messages: capMessages([...state.messages, m]) };
}

function applyError(state: RoomState, error: ServerError): RoomState {
  if (!error.id) return { ...state, ...failOldestSending(state, error) };
  const i = state.outbox.findIndex((o) => o.id === error.id && o.status !== 'failed');
  return { ...state, ...failAt(state, i, error) };
}

function applyFrame(state: RoomState, f: ServerFrame): RoomState {
  switch (f.type) {
    case 'snapshot':
      return applySnapshot(state, f);
    case 'message': {
      const { type: _type, ...m } = f;
      return applyMessage(state, m);
    }
    case 'ack':
      return applyAck(state, f.id);
    case 'join':
      if (state.users.includes(f.userId)) return state;
      return { ...state, users: [...state.users, f.userId] };
    case 'leave':
      if (!state.users.includes(f.userId)) return state;
      return { ...state, users: state.users.filter((u) => u !== f.userId) };
    case 'error': {
      const { type: _type, ...error } = f;
      return applyError(state, error);
    }
  }
}

function setStatuses(state: RoomState, from: OutboxStatus, to: OutboxStatus): RoomState {
  if (!state.outbox.some((o) => o.status === from)) return state;
  return { ...state, outbox: state.outbox.map((o) => (o.status === from ? { ...o, status: to } : o)) };
}

export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case 'opened':
      return state.protocol === action.protocol ? state : { ...state, protocol: action.protocol };
    case 'frame':
      return applyFrame(state, action.frame);
    case 'send': {
      const status = action.connected ? 'sending' : 'queued';
      const item: OutboxItem = { id: action.id, text: action.text, createdAt: action.now, status };
      return { ...state, outbox: [...state.outbox, item] };
    }
    case 'disconnected':
      // Whatever was in flight may or may not have reached the server: keep it
      // queued; the next snapshot (v1) or the server's ack (v2) tells, and the
      // rest is re-sent.
      return setStatuses(state, 'sending', 'queued');
    case 'flushed':
      // the caller wrote every queued item to the socket, in order
      return setStatuses(state, 'queued', 'sending');
    case 'retry': {
      const i = state.outbox.findIndex((o) => o.id === action.id && o.status === 'failed');
      if (i < 0) return state;
      // a retried message goes to the end: it is a new send, ordered after the others
      const status = action.connected ? 'sending' : 'queued';
      const item: OutboxItem = { ...state.outbox[i], status, error: undefined };
      return { ...state, outbox: [...withoutIndex(state.outbox, i), item] };
    }
    case 'discard':
      return { ...state, outbox: state.outbox.filter((o) => o.id !== action.id) };
    case 'localNotice':
      return { ...state, notice: action.notice };
    case 'dismissNotice':
      return state.notice ? { ...state, notice: null } : state;
  }
}

/** The queued items, oldest first: what to write to the socket after a snapshot. */
export function queuedItems(state: RoomState): OutboxItem[] {
  return state.outbox.filter((o) => o.status === 'queued');
}
