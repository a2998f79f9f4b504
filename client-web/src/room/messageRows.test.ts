import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../roomState';
import { formatTime, messageRows } from './messageRows';

const confirmed = [
  { userId: 'bob', msg: 'hi', ts: '2024-01-01T12:01:00Z' },
  { userId: 'bob', msg: 'hi', ts: '2024-01-01T12:01:00Z' }, // same text and time: still two rows
];
const pending: OutboxItem[] = [
  { id: 'local-1', text: 'one', createdAt: 1, status: 'sending' },
  {
    id: 'local-2',
    text: 'two',
    createdAt: 2,
    status: 'failed',
    error: { code: 'rate_limited', message: 'slow down' },
  },
];

describe('message rows', () => {
  it('lists confirmed messages first, then the outbox in its order', () => {
    const rows = messageRows(confirmed, pending);
    expect(rows.map((r) => r.kind)).toEqual(['confirmed', 'confirmed', 'outbox', 'outbox']);
    expect(rows[3]).toEqual({ kind: 'outbox', key: 'local-2', item: pending[1] });
  });

  it('gives every row its own key, even for repeated messages', () => {
    const keys = messageRows(confirmed, pending).map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is empty for an empty room', () => {
    expect(messageRows([], [])).toEqual([]);
  });
});

describe('formatTime', () => {
  it('shows a time for an ISO timestamp or epoch milliseconds', () => {
    expect(formatTime('2024-01-01T12:01:00Z')).toMatch(/\d/);
    expect(formatTime(Date.UTC(2024, 0, 1, 12, 1))).toMatch(/\d/);
  });

  it('shows nothing for a time that does not parse', () => {
    expect(formatTime('not a time')).toBe('');
  });
});
