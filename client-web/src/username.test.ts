import { describe, expect, it } from 'vitest';
import { validateUsername } from './username';

describe('validateUsername', () => {
  it('accepts and trims a normal name', () => {
    expect(validateUsername('  alice ')).toEqual({ ok: true, value: 'alice' });
  });
  it('accepts 1 and 32 characters, refuses 33', () => {
    expect(validateUsername('a').ok).toBe(true);
    expect(validateUsername('a'.repeat(32)).ok).toBe(true);
    expect(validateUsername('a'.repeat(33)).ok).toBe(false);
  });
  it('counts characters, not UTF-16 units', () => {
    expect(validateUsername('😀'.repeat(32)).ok).toBe(true);
    expect(validateUsername('😀'.repeat(33)).ok).toBe(false);
  });
  it('refuses empty and blank names', () => {
    expect(validateUsername('')).toMatchObject({ ok: false });
    expect(validateUsername('   \t ')).toMatchObject({ ok: false });
  });
  it('refuses control characters', () => {
    for (const s of ['a\u0000b', 'a\nb', 'a\u001bb', 'a\u007fb', 'a\u0085b']) {
      expect(validateUsername(s), JSON.stringify(s)).toMatchObject({ ok: false, error: expect.stringMatching(/control/) });
    }
  });
  it('accepts spaces inside and non-ASCII letters', () => {
    expect(validateUsername('Zoë Smith')).toEqual({ ok: true, value: 'Zoë Smith' });
  });
});
