// Username validation, the same rules as the backend's POST /api/login:
// 1-32 characters after trimming, no control characters.

export const MAX_USERNAME_LENGTH = 32;

// C0 controls, DEL and C1 controls
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type UsernameCheck = { ok: true; value: string } | { ok: false; error: string };

export function validateUsername(raw: string): UsernameCheck {
  const value = raw.trim();
  if (value.length === 0) return { ok: false, error: 'Please enter a username.' };
  // count code points, not UTF-16 units, so an emoji counts as one character
  if ([...value].length > MAX_USERNAME_LENGTH) {
    return { ok: false, error: `A username is at most ${MAX_USERNAME_LENGTH} characters.` };
  }
  if (CONTROL.test(value)) return { ok: false, error: 'A username cannot contain control characters.' };
  return { ok: true, value };
}
