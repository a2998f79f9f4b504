// Keeps a room's unacknowledged messages in sessionStorage, so that a reload
// of the tab during an outage loses nothing: the restored messages keep their
// ids and are sent (again) once the room is back, and the server (v2)
// delivers each id once. sessionStorage, not localStorage: it belongs to this
// tab, so two tabs never both re-send one message.

import type { ServerError } from './protocol';
import type { OutboxItem } from './roomState';

/** The subset of the Storage API used here (a fake in the tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Most unacknowledged messages one room keeps. A person does not type this
 * many during an outage; beyond it sending is refused with a word, so neither
 * the storage quota nor the resend after a reconnect grows without bound.
 */
export const PENDING_MESSAGES_MAX = 200;

interface StoredItem {
  id: string;
  text: string;
  createdAt: number;
  error?: ServerError; // present: refused by the server, waiting for Retry or Discard
}

/** One key a room and user; JSON keeps "a.b"+"c" apart from "a"+"b.c". */
export function pendingKey(roomId: string, userId: string): string {
  return `scalable-chat.pending:${JSON.stringify([roomId, userId])}`;
}

/** Writes the outbox (nothing at all once it is empty). Storage errors are swallowed: best effort. */
export function savePending(storage: StorageLike | null, key: string, outbox: OutboxItem[]): void {
  if (!storage) return;
  try {
    if (outbox.length === 0) {
      storage.removeItem(key);
      return;
    }
    const items: StoredItem[] = outbox.map(({ id, text, createdAt, error }) =>
      error ? { id, text, createdAt, error } : { id, text, createdAt },
    );
    storage.setItem(key, JSON.stringify(items));
  } catch {
    /* full or disabled storage: the messages stay in memory for this page */
  }
}

/**
 * The stored outbox, in order: refused messages stay refused, every other
 * one is queued (whether it reached the server is for the server to say).
 * Anything malformed is skipped.
 */
export function loadPending(storage: StorageLike | null, key: string): OutboxItem[] {
  if (!storage) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(key) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: OutboxItem[] = [];
  for (const v of parsed.slice(0, PENDING_MESSAGES_MAX)) {
    const item = toOutboxItem(v);
    if (item && !out.some((o) => o.id === item.id)) out.push(item);
  }
  return out;
}

function toOutboxItem(v: unknown): OutboxItem | null {
  if (typeof v !== 'object' || v === null) return null;
  const { id, text, createdAt, error } = v as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || typeof text !== 'string' || typeof createdAt !== 'number') {
    return null;
  }
  const e = error as Record<string, unknown> | undefined;
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    return { id, text, createdAt, status: 'failed', error: { code: e.code, message: e.message } };
  }
  return { id, text, createdAt, status: 'queued' };
}

/** The page's sessionStorage, or null where there is none (tests, a locked-down browser). */
export function tabStorage(): StorageLike | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // some browsers throw on access when storage is disabled
  }
}
