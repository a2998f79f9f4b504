// What the client does when its socket to the session server closes: give
// up and show why, or look the room up again and reconnect, telling the
// backend which host it could not reach when the connection died without a
// close frame (so the backend checks that server at once, instead of at its
// next polls, and places the room elsewhere if it is gone).

import { describeClose, isAbnormalClose, isTerminalClose } from './protocol';

export type CloseDecision =
  | { kind: 'rejected'; code: number; reason: string } // shown; waits for the user
  | { kind: 'reconnect'; reason: string; unreachableHost: string | null };

export function decideAfterClose(
  close: { code: number; reason: string },
  host: string,
  joinedBefore: boolean,
): CloseDecision {
  const reason = describeClose(close.code, close.reason);
  // After a dropped connection the server may still hold our old socket
  // until its pings time out: "Duplicate user" is then our own ghost, so a
  // reconnect keeps retrying instead of giving up.
  const ownGhost = joinedBefore && close.code === 1008 && close.reason === 'Duplicate user';
  if (isTerminalClose(close.code) && !ownGhost) return { kind: 'rejected', code: close.code, reason };
  // 1006: no close frame, the server may be dead. 1001 (shutting down) and
  // 1012 (room moving) come from a live server that has handed the room on:
  // a plain look-up finds its new place. Anything else: plain look-up too.
  return { kind: 'reconnect', reason, unreachableHost: isAbnormalClose(close.code) ? host : null };
}
