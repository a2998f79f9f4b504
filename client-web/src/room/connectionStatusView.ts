// What the room page tells the user about its connection, as plain data: the
// full-page card before the first snapshot, and the banner once in the room.
// No React here, so every status's wording is unit-tested.

import type { ConnectionStatus } from '../session';

/** Whole seconds until a waiting session tries again (0 for any other status). */
export function secondsLeft(status: ConnectionStatus, now: number): number {
  return status.kind === 'waiting' ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : 0;
}

/** The card's one button besides "Back to Lobby"; `testId` is what the browser tests click. */
export interface StatusCardAction {
  label: string;
  testId: 'retry' | 'reconnect-now';
}

export interface StatusCardView {
  /** `data-state` of the card */
  state: 'connecting' | 'not-found' | 'rejected' | 'error' | 'waiting' | 'closed';
  title: string;
  text?: string;
  spinner?: boolean;
  action?: StatusCardAction;
  /** the user's messages still waiting to be sent (kept across a reload) */
  note?: string;
}

/** Said on the card when messages typed earlier wait for the room; undefined for none. */
export function pendingNote(pendingCount: number): string | undefined {
  if (pendingCount <= 0) return undefined;
  const what = pendingCount === 1 ? '1 unsent message' : `${pendingCount} unsent messages`;
  return `${what} will be sent once you are back in the room.`;
}

/** Shown while the session itself is being created (nothing is known yet). */
export const STARTING_VIEW: StatusCardView = {
  state: 'connecting',
  title: 'Connecting…',
  spinner: true,
};

/** The full-page card shown before the first snapshot. */
export function statusCardView(
  status: ConnectionStatus,
  roomId: string,
  now: number,
): StatusCardView {
  switch (status.kind) {
    case 'not_found':
      return {
        state: 'not-found',
        title: 'Room Not Found',
        text: `The room "${roomId}" does not exist or has ended.`,
      };
    case 'rejected':
      return {
        state: 'rejected',
        title: 'Cannot Join Room',
        text: status.reason,
        action: { label: 'Try again', testId: 'retry' },
      };
    case 'failed':
      return {
        state: 'error',
        title: 'Connection Error',
        text: status.reason,
        action: { label: 'Retry', testId: 'retry' },
      };
    case 'waiting':
      return {
        state: 'waiting',
        title: 'Connection Error',
        text:
          `${status.reason}. ` +
          `Retrying in ${secondsLeft(status, now)} s… (attempt ${status.attempt})`,
        action: { label: 'Retry now', testId: 'reconnect-now' },
      };
    case 'unauthorized':
    case 'closed':
      return { state: 'closed', title: 'Disconnected' };
    case 'resolving':
    case 'connecting':
    case 'connected':
      return {
        state: 'connecting',
        title: 'Connecting…',
        text: `Joining room ${roomId}`,
        spinner: true,
      };
  }
}

export interface BannerView {
  /** `data-state` of the banner: the status kind, `not-found` for a room that went away */
  state: string;
  text: string;
  /** label of the reconnect button, or null when there is nothing to press */
  button: string | null;
}

/** How long "Back in the room" stays up after a reconnect. */
export const BACK_NOTICE_MS = 5000;

/**
 * The banner over the room once joined; null while connected (no banner),
 * except for a few seconds after a reconnect, to say the room is back.
 */
export function bannerView(status: ConnectionStatus, now: number): BannerView | null {
  switch (status.kind) {
    case 'connected':
      if (!status.resumed || now - status.since >= BACK_NOTICE_MS) return null;
      return { state: 'back', text: `Back in the room, on ${status.host}.`, button: null };
    case 'resolving':
    case 'connecting':
      return {
        state: status.kind,
        text: `Reconnecting… (attempt ${status.attempt})`,
        button: null,
      };
    case 'waiting':
      return {
        state: status.kind,
        text:
          `Disconnected: ${status.reason}. ` +
          `Reconnecting in ${secondsLeft(status, now)} s… (attempt ${status.attempt})`,
        button: 'Reconnect now',
      };
    case 'failed':
      return {
        state: status.kind,
        text: `Disconnected: ${status.reason}. Gave up reconnecting.`,
        button: 'Reconnect',
      };
    case 'rejected':
      return { state: status.kind, text: `Disconnected: ${status.reason}.`, button: 'Reconnect' };
    case 'not_found':
      return { state: 'not-found', text: 'This room no longer exists.', button: null };
    case 'unauthorized':
    case 'closed':
      return { state: status.kind, text: 'Disconnected.', button: null };
  }
}
