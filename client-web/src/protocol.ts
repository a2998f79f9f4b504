// Pure, framework-free parsing of the session server's frames and encoding
// of ours (event subprotocols `scalable-chat.events.v1` and `.v2`, see
// docs/PROTOCOL.md). Unknown fields are tolerated; anything that does not have
// the required shape is rejected (parseServerFrame returns null).

export const EVENT_SUBPROTOCOL_V1 = 'scalable-chat.events.v1';
export const EVENT_SUBPROTOCOL_V2 = 'scalable-chat.events.v2';
/** Offered in this order; a server that knows v2 picks it, an older one v1. */
export const EVENT_SUBPROTOCOLS = [EVENT_SUBPROTOCOL_V2, EVENT_SUBPROTOCOL_V1];

/**
 * v2: messages carry ids, are acknowledged and de-duplicated by the server.
 * v1: plain text frames, acknowledged only by their echo (also the seed's
 * compatibility mode, where the server echoes no subprotocol).
 */
export type WireProtocol = 'v1' | 'v2';

/** What the server chose, from the socket's `protocol` after the upgrade. */
export function wireProtocolOf(negotiated: string): WireProtocol {
  return negotiated === EVENT_SUBPROTOCOL_V2 ? 'v2' : 'v1';
}

/** One frame for one message, in the chosen protocol. */
export function encodeMessage(protocol: WireProtocol, id: string, text: string): string {
  return protocol === 'v2' ? JSON.stringify({ id, msg: text }) : text;
}

export interface ChatMessage {
  userId: string;
  msg: string;
  ts: string;
  /** v2: the sender's message id (on `message` events; absent in v1 and in snapshots) */
  id?: string;
}

export interface Limits {
  maxUsers: number;
  maxMessageLength: number;
  historyMessages: number;
  messagesPerSecond: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxUsers: 100,
  maxMessageLength: 1000,
  historyMessages: 100,
  messagesPerSecond: 10,
};

export interface ServerError {
  code: string;
  message: string;
  /** v2: the id of the refused message */
  id?: string;
}

export type ServerFrame =
  | {
      type: 'snapshot';
      roomId: string | null;
      messages: ChatMessage[];
      connectedUsers: string[];
      limits: Limits;
      /** seed compatibility snapshots may carry the refusal of our last message */
      error?: ServerError;
    }
  | ({ type: 'message' } & ChatMessage)
  | { type: 'join'; userId: string; ts: string }
  | { type: 'leave'; userId: string; ts: string }
  | ({ type: 'error' } & ServerError)
  | { type: 'ack'; id: string }; // v2: a re-sent message the server had already stored

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

export function parseChatMessage(v: unknown): ChatMessage | null {
  if (!isObj(v)) return null;
  const { userId, msg, ts, id } = v;
  if (!isNonEmptyString(userId) || typeof msg !== 'string' || typeof ts !== 'string') return null;
  return isNonEmptyString(id) ? { userId, msg, ts, id } : { userId, msg, ts };
}

function parseLimits(v: unknown): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  if (!isObj(v)) return out;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const n = v[key];
    if (typeof n === 'number' && Number.isFinite(n) && n > 0) out[key] = Math.floor(n);
  }
  return out;
}

function parseError(v: unknown): ServerError | null {
  if (!isObj(v)) return null;
  const code = isNonEmptyString(v.code) ? v.code : 'error';
  const message = typeof v.message === 'string' && v.message.length > 0 ? v.message : code;
  if (!isNonEmptyString(v.code) && typeof v.message !== 'string') return null;
  return isNonEmptyString(v.id) ? { code, message, id: v.id } : { code, message };
}

function parseSnapshot(o: Obj): ServerFrame | null {
  if (!Array.isArray(o.messages) || !Array.isArray(o.connectedUsers)) return null;
  const messages: ChatMessage[] = [];
  for (const m of o.messages) {
    const parsed = parseChatMessage(m);
    if (parsed) messages.push(parsed); // skip a malformed entry, keep the rest
  }
  const connectedUsers: string[] = [];
  for (const u of o.connectedUsers) {
    if (isNonEmptyString(u) && !connectedUsers.includes(u)) connectedUsers.push(u);
  }
  const frame: ServerFrame = {
    type: 'snapshot',
    roomId: isNonEmptyString(o.roomId) ? o.roomId : null,
    messages,
    connectedUsers,
    limits: parseLimits(o.limits),
  };
  if (o.error !== undefined) {
    const err = parseError(o.error);
    if (err) frame.error = err;
  }
  return frame;
}

/**
 * Parses one text frame from the session server. Returns null for garbage:
 * non-string data, invalid JSON, non-objects, unknown `type`s, or missing /
 * mistyped required fields. Seed-style snapshots (no `type`, but `messages`
 * and `connectedUsers`) are accepted as snapshots, for compatibility mode.
 */
export function parseServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  return parseEvent(v);
}

/**
 * Parses one text frame into the events it carries, in order. A frame holds
 * one event object, or a JSON array of them (the protocol allows a server to
 * batch events that way; ours writes them as frames of their own). Garbage
 * entries are dropped; garbage frames give [].
 */
export function parseServerFrames(data: unknown): ServerFrame[] {
  if (typeof data !== 'string') return [];
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return [];
  }
  const entries = Array.isArray(v) ? v : [v];
  return entries.map(parseEvent).filter((f): f is ServerFrame => f !== null);
}

function parseEvent(v: unknown): ServerFrame | null {
  if (!isObj(v)) return null;
  const type = v.type;
  if (type === undefined) return parseSnapshot(v); // seed compatibility frame
  switch (type) {
    case 'snapshot':
      return parseSnapshot(v);
    case 'message': {
      const m = parseChatMessage(v);
      return m ? { type: 'message', ...m } : null;
    }
    case 'join':
    case 'leave': {
      if (!isNonEmptyString(v.userId)) return null;
      const ts = typeof v.ts === 'string' ? v.ts : '';
      return { type: type === 'join' ? 'join' : 'leave', userId: v.userId, ts };
    }
    case 'error': {
      const err = parseError(v);
      return err ? { type: 'error', ...err } : null;
    }
    case 'ack':
      return isNonEmptyString(v.id) ? { type: 'ack', id: v.id } : null;
    default:
      return null;
  }
}

/** Close codes on which the client must not reconnect automatically. */
export function isTerminalClose(code: number): boolean {
  return code === 1008 || code === 1013;
}

/** The close carried no close frame: the server (or the path to it) is gone. */
export function isAbnormalClose(code: number): boolean {
  return code === 1006;
}

export function describeClose(code: number, reason: string): string {
  if (reason) return reason;
  switch (code) {
    case 1008:
      return 'The server refused the connection';
    case 1013:
      return 'Server is full';
    case 1001:
      return 'Server shutting down';
    case 1012:
      return 'Room moving';
    case 1006:
      return 'Connection lost';
    default:
      return `Connection closed (code ${code})`;
  }
}

/** Reads `userId` from a JWT payload without verifying it (display only). */
export function userIdFromToken(token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bin = atob(padded);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObj(payload) && isNonEmptyString(payload.userId) ? payload.userId : null;
  } catch {
    return null;
  }
}
