import { describe, expect, it } from 'vitest';
import { MemoryStorage } from './fakeSession';
import { PENDING_MESSAGES_MAX, loadPending, pendingKey, savePending } from './pendingStore';
import type { OutboxItem } from './roomState';

const key = pendingKey('r1', 'alice');
const outbox: OutboxItem[] = [
  { id: 't-1', text: 'in flight', createdAt: 1, status: 'sending' },
  { id: 't-2', text: 'typed offline', createdAt: 2, status: 'queued' },
  { id: 't-3', text: 'refused', createdAt: 3, status: 'failed', error: { code: 'rate_limited', message: 'Slow down' } },
];

describe('unacknowledged messages in sessionStorage', () => {
  it('come back in order: refused ones still refused, the others queued', () => {
    const storage = new MemoryStorage();
    savePending(storage, key, outbox);
    expect(loadPending(storage, key)).toEqual([
      { id: 't-1', text: 'in flight', createdAt: 1, status: 'queued' },
      { id: 't-2', text: 'typed offline', createdAt: 2, status: 'queued' },
      outbox[2],
    ]);
  });

  it('are kept a room and a user each', () => {
    const storage = new MemoryStorage();
    savePending(storage, key, outbox);
    expect(loadPending(storage, pendingKey('r2', 'alice'))).toEqual([]);
    expect(loadPending(storage, pendingKey('r1', 'bob'))).toEqual([]);
    expect(pendingKey('a.b', 'c')).not.toBe(pendingKey('a', 'b.c'));
  });

  it('leave nothing behind once all are acknowledged', () => {
    const storage = new MemoryStorage();
    savePending(storage, key, outbox);
    savePending(storage, key, []);
    expect(storage.items.size).toBe(0);
  });

  it('survive garbage: skipped entries, duplicate ids, non-JSON, no storage at all', () => {
    const storage = new MemoryStorage();
    storage.setItem(
      key,
      JSON.stringify([{ id: 'a', text: 'ok', createdAt: 1 }, { id: 7 }, null, { id: 'a', text: 'again', createdAt: 2 }]),
    );
    expect(loadPending(storage, key).map((o) => o.text)).toEqual(['ok']);
    storage.setItem(key, '{not json');
    expect(loadPending(storage, key)).toEqual([]);
    storage.setItem(key, '{"id":"a"}');
    expect(loadPending(storage, key)).toEqual([]);
    expect(loadPending(null, key)).toEqual([]);
    expect(() => savePending(null, key, outbox)).not.toThrow();
  });

  it('a full or disabled storage costs the copy, never the page', () => {
    const full = new MemoryStorage();
    full.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(() => savePending(full, key, outbox)).not.toThrow();
  });

  it('load at most PENDING_MESSAGES_MAX', () => {
    const storage = new MemoryStorage();
    const many = Array.from({ length: PENDING_MESSAGES_MAX + 5 }, (_, i) => ({ id: `t-${i}`, text: `${i}`, createdAt: i }));
    storage.setItem(key, JSON.stringify(many));
    expect(loadPending(storage, key)).toHaveLength(PENDING_MESSAGES_MAX);
  });
});
