import { describe, expect, it } from 'vitest';
import { STICK_THRESHOLD_PX, isNearBottom } from './useStickToBottom';

describe('isNearBottom', () => {
  const list = (scrollTop: number) => ({ scrollHeight: 1000, clientHeight: 400, scrollTop });

  it('is true at the bottom and within the threshold of it', () => {
    expect(isNearBottom(list(600))).toBe(true);
    expect(isNearBottom(list(600 - STICK_THRESHOLD_PX + 1))).toBe(true);
  });

  it('is false once the reader scrolled up by the threshold or more', () => {
    expect(isNearBottom(list(600 - STICK_THRESHOLD_PX))).toBe(false);
    expect(isNearBottom(list(0))).toBe(false);
  });

  it('is true for a list shorter than its box', () => {
    expect(isNearBottom({ scrollHeight: 200, clientHeight: 400, scrollTop: 0 })).toBe(true);
  });

  it('takes another threshold', () => {
    expect(isNearBottom(list(500), 101)).toBe(true);
    expect(isNearBottom(list(500), 100)).toBe(false);
  });
});
