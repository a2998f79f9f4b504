import { describe, expect, it } from 'vitest';
import { COUNTER_SHOWN_BELOW, COUNTER_WARNS_BELOW, draftStatus, isSendKey } from './draft';

describe('draft status', () => {
  it('cannot send an empty or blank draft', () => {
    expect(draftStatus('', 1000).canSend).toBe(false);
    expect(draftStatus('  \n\t', 1000).canSend).toBe(false);
    expect(draftStatus(' hi ', 1000).canSend).toBe(true);
  });

  it('allows exactly the limit and refuses one more', () => {
    expect(draftStatus('x'.repeat(10), 10)).toMatchObject({
      remaining: 0,
      tooLong: false,
      canSend: true,
    });
    expect(draftStatus('x'.repeat(11), 10)).toMatchObject({
      remaining: -1,
      tooLong: true,
      canSend: false,
    });
  });

  it('shows the count only near the limit, and warns nearer still', () => {
    const max = 1000;
    const at = (remaining: number) => draftStatus('x'.repeat(max - remaining), max);
    expect(at(COUNTER_SHOWN_BELOW)).toMatchObject({ showCount: false, warn: false });
    expect(at(COUNTER_SHOWN_BELOW - 1)).toMatchObject({ showCount: true, warn: false });
    expect(at(COUNTER_WARNS_BELOW)).toMatchObject({ showCount: true, warn: false });
    expect(at(COUNTER_WARNS_BELOW - 1)).toMatchObject({ showCount: true, warn: true });
  });
});

describe('send key', () => {
  it('Enter sends', () => {
    expect(isSendKey({ key: 'Enter', shiftKey: false, isComposing: false })).toBe(true);
  });

  it('Shift+Enter is a new line, and other keys do nothing', () => {
    expect(isSendKey({ key: 'Enter', shiftKey: true, isComposing: false })).toBe(false);
    expect(isSendKey({ key: 'a', shiftKey: false, isComposing: false })).toBe(false);
  });

  it('Enter that confirms an input-method composition does not send', () => {
    expect(isSendKey({ key: 'Enter', shiftKey: false, isComposing: true })).toBe(false);
  });
});
