/** Accepts a bare room id or a pasted share link (…/room/<id>). */
export function roomIdFromInput(raw: string): string {
  const v = raw.trim();
  const m = v.match(/\/room\/([^/?#]+)/);
  if (m) {
    try {
      return decodeURIComponent(m[1]).trim();
    } catch {
      return m[1];
    }
  }
  return v;
}

export function shareUrl(origin: string, roomId: string): string {
  return `${origin}/room/${encodeURIComponent(roomId)}`;
}
