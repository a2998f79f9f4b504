// Exponential backoff with a cap and "equal jitter": the delay before attempt
// n (1-based) is d/2 + random * d/2 where d = min(cap, base * 2^(n-1)).
// Half of the delay is fixed so the countdown a person sees stays meaningful;
// the other half spreads clients that lost the same server at the same time.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** after this many failed attempts in a row, stop retrying automatically */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 30_000, maxAttempts: 12 };

export function backoffCeiling(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  if (!Number.isFinite(attempt) || attempt < 1) attempt = 1;
  // 2^(n-1) overflows nothing in JS for sane n, but clamp the exponent anyway
  const exp = Math.min(attempt - 1, 30);
  return Math.min(opts.capMs, opts.baseMs * 2 ** exp);
}

export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const d = backoffCeiling(attempt, opts);
  let r = random();
  if (!(r >= 0)) r = 0;
  if (r > 1) r = 1;
  return Math.round(d / 2 + (r * d) / 2);
}
