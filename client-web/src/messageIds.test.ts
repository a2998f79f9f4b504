import { describe, expect, it } from 'vitest';
import { MessageIdSource, PREFIX_LENGTH, isValidMessageId, randomPrefix, tabMessageIds } from './messageIds';

describe('message ids', () => {
  it('are the prefix and a counter from 1, each one new', () => {
    const ids = new MessageIdSource('k3f9x');
    expect([ids.next(), ids.next(), ids.next()]).toEqual(['k3f9x-1', 'k3f9x-2', 'k3f9x-3']);
  });

  it('take the server alphabet and length', () => {
    const ids = new MessageIdSource('a'.repeat(PREFIX_LENGTH));
    for (let i = 0; i < 1000; i++) expect(isValidMessageId(ids.next())).toBe(true);
    expect(isValidMessageId('has space')).toBe(false);
    expect(isValidMessageId('x'.repeat(65))).toBe(false);
    expect(isValidMessageId('')).toBe(false);
  });

  it('refuse a prefix the server would not take', () => {
    expect(() => new MessageIdSource('no/slash')).toThrow();
    expect(() => new MessageIdSource('x'.repeat(64))).toThrow();
  });

  it('draw the prefix from random bytes, lower-case letters and digits', () => {
    const prefix = randomPrefix((b) => b.forEach((_, i) => (b[i] = i * 37)));
    expect(prefix).toMatch(new RegExp(`^[a-z0-9]{${PREFIX_LENGTH}}$`));
    const zeros = randomPrefix((b) => b.fill(0));
    expect(zeros).toBe('a'.repeat(PREFIX_LENGTH));
    expect(prefix).not.toBe(zeros);
  });

  it('come from one source a page load, so two rooms of a tab never share an id', () => {
    const a = tabMessageIds();
    expect(tabMessageIds()).toBe(a);
    expect(isValidMessageId(a.next())).toBe(true);
    expect(a.prefix).toHaveLength(PREFIX_LENGTH);
  });
});
