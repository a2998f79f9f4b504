import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffCeiling, backoffDelay } from './backoff';

const opts = { baseMs: 1000, capMs: 30_000, maxAttempts: 12 };

describe('backoff', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10, 50].map((n) => backoffCeiling(n, opts))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
  });

  it('treats nonsense attempts as the first', () => {
    expect(backoffCeiling(0, opts)).toBe(1000);
    expect(backoffCeiling(-3, opts)).toBe(1000);
    expect(backoffCeiling(NaN, opts)).toBe(1000);
  });

  it('jitters between half and all of the ceiling', () => {
    expect(backoffDelay(3, () => 0, opts)).toBe(2000);
    expect(backoffDelay(3, () => 0.5, opts)).toBe(3000);
    expect(backoffDelay(3, () => 0.999999, opts)).toBe(4000);
    expect(backoffDelay(20, () => 1, opts)).toBe(30000);
  });

  it('spreads clients: different random values give different delays', () => {
    const delays = new Set([0.1, 0.3, 0.6, 0.9].map((r) => backoffDelay(4, () => r, opts)));
    expect(delays.size).toBe(4);
  });

  it('stays within bounds for any random value, even a broken one', () => {
    for (const r of [-1, 2, NaN, 0.42]) {
      const d = backoffDelay(2, () => r, opts);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });

  it('has sane defaults', () => {
    expect(DEFAULT_BACKOFF.capMs).toBeGreaterThan(DEFAULT_BACKOFF.baseMs);
    expect(DEFAULT_BACKOFF.maxAttempts).toBeGreaterThan(3);
  });
});
