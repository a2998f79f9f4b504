// Rules of the message composer, as plain functions: when a draft may be
// sent, what the counter under it says, and which key sends.

export interface DraftStatus {
  /** characters left before the room's limit (negative when over it) */
  remaining: number;
  tooLong: boolean;
  /** something to send, within the limit */
  canSend: boolean;
  /** show the count of characters left (near the limit); else only a hint for screen readers */
  showCount: boolean;
  /** the count is shown as a warning */
  warn: boolean;
}

/** Characters left under which the counter appears, and under which it warns. */
export const COUNTER_SHOWN_BELOW = 100;
export const COUNTER_WARNS_BELOW = 50;

export function draftStatus(draft: string, maxMessageLength: number): DraftStatus {
  const remaining = maxMessageLength - draft.length;
  const tooLong = remaining < 0;
  return {
    remaining,
    tooLong,
    canSend: draft.trim().length > 0 && !tooLong,
    showCount: remaining < COUNTER_SHOWN_BELOW,
    warn: remaining < COUNTER_WARNS_BELOW,
  };
}

/** Enter sends; Shift+Enter is a new line; Enter that ends an IME composition only confirms it. */
export function isSendKey(key: { key: string; shiftKey: boolean; isComposing: boolean }): boolean {
  return key.key === 'Enter' && !key.shiftKey && !key.isComposing;
}
