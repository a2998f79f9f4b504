import { describe, expect, it } from 'vitest';
import { decideAfterClose } from './closeDecision';

const host = 'h1:8000';

describe('what a close leads to', () => {
  it('1006 (no close frame): reconnect, telling the look-up which host was lost', () => {
    expect(decideAfterClose({ code: 1006, reason: '' }, host, true)).toEqual({
      kind: 'reconnect',
      reason: 'Connection lost',
      unreachableHost: host,
    });
    // also when the server was never reached (the browser reports 1006 then too)
    expect(decideAfterClose({ code: 1006, reason: '' }, host, false)).toMatchObject({ unreachableHost: host });
  });

  it.each([
    [1012, 'Room moving'],
    [1001, 'Server shutting down'],
    [1011, ''],
    [1000, ''],
  ])('%i %s: reconnect after a plain look-up (the server is alive and let go)', (code, reason) => {
    expect(decideAfterClose({ code, reason }, host, true)).toMatchObject({ kind: 'reconnect', unreachableHost: null });
  });

  it.each([
    [1008, 'Room is full'],
    [1008, 'Too many refused messages'],
    [1013, 'Server is full'],
  ])('%i %s: shown, not retried', (code, reason) => {
    expect(decideAfterClose({ code, reason }, host, true)).toEqual({ kind: 'rejected', code, reason });
  });

  it('"Duplicate user" is refused on the first join, and our own ghost after being in', () => {
    const close = { code: 1008, reason: 'Duplicate user' };
    expect(decideAfterClose(close, host, false).kind).toBe('rejected');
    expect(decideAfterClose(close, host, true)).toMatchObject({ kind: 'reconnect', unreachableHost: null });
  });
});
