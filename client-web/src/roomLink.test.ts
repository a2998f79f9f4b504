import { describe, expect, it } from 'vitest';
import { roomIdFromInput, shareUrl } from './roomLink';

describe('room links', () => {
  it('builds the share URL of a room', () => {
    expect(shareUrl('http://localhost:8080', 'ab_c-1')).toBe('http://localhost:8080/room/ab_c-1');
    expect(shareUrl('https://x.y', 'a b')).toBe('https://x.y/room/a%20b');
  });
  it('takes a bare id or a pasted share link', () => {
    expect(roomIdFromInput('  abc123 ')).toBe('abc123');
    expect(roomIdFromInput('http://localhost:8080/room/abc123')).toBe('abc123');
    expect(roomIdFromInput('https://x.y/room/a%20b?x=1#top')).toBe('a b');
    expect(roomIdFromInput('')).toBe('');
  });
});
