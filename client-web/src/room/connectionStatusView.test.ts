import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../session';
import {
  BACK_NOTICE_MS,
  bannerView,
  pendingNote,
  secondsLeft,
  statusCardView,
} from './connectionStatusView';

const now = 1_000_000;
const waiting: ConnectionStatus = {
  kind: 'waiting',
  attempt: 2,
  retryAt: now + 2300,
  reason: 'Server shutting down',
};

describe('secondsLeft', () => {
  it('rounds the wait up to whole seconds and never goes below zero', () => {
    expect(secondsLeft(waiting, now)).toBe(3);
    expect(secondsLeft(waiting, now + 2000)).toBe(1);
    expect(secondsLeft(waiting, now + 2300)).toBe(0);
    expect(secondsLeft(waiting, now + 9000)).toBe(0);
  });

  it('is zero for a status that is not waiting', () => {
    expect(secondsLeft({ kind: 'connected', host: 'h:1', resumed: false, since: now }, now)).toBe(0);
  });
});

describe('the full-page card before the first snapshot', () => {
  it('counts down while waiting, with a Retry now button', () => {
    expect(statusCardView(waiting, 'r1', now)).toEqual({
      state: 'waiting',
      title: 'Connection Error',
      text: 'Server shutting down. Retrying in 3 s… (attempt 2)',
      action: { label: 'Retry now', testId: 'reconnect-now' },
    });
  });

  it('names the room that does not exist, with no button besides the lobby', () => {
    const view = statusCardView({ kind: 'not_found' }, 'gone', now);
    expect(view.state).toBe('not-found');
    expect(view.title).toBe('Room Not Found');
    expect(view.text).toContain('"gone"');
    expect(view.action).toBeUndefined();
  });

  it('shows why a join was refused and offers to try again', () => {
    const rejected: ConnectionStatus = { kind: 'rejected', code: 1008, reason: 'Room is full' };
    const view = statusCardView(rejected, 'r1', now);
    expect(view).toMatchObject({
      state: 'rejected',
      title: 'Cannot Join Room',
      text: 'Room is full',
    });
    expect(view.action).toEqual({ label: 'Try again', testId: 'retry' });
  });

  it('after giving up, says so as an error with Retry', () => {
    const view = statusCardView({ kind: 'failed', reason: 'Cannot reach the server' }, 'r1', now);
    expect(view).toMatchObject({ state: 'error', text: 'Cannot reach the server' });
    expect(view.action?.testId).toBe('retry');
  });

  it('shows a spinner while looking up and connecting', () => {
    for (const status of [
      { kind: 'resolving', attempt: 1 },
      { kind: 'connecting', attempt: 1, host: 'h:1' },
    ] as ConnectionStatus[]) {
      expect(statusCardView(status, 'r1', now)).toEqual({
        state: 'connecting',
        title: 'Connecting…',
        text: 'Joining room r1',
        spinner: true,
      });
    }
  });

  it('is a plain Disconnected card once closed or logged out', () => {
    expect(statusCardView({ kind: 'closed' }, 'r1', now)).toEqual({
      state: 'closed',
      title: 'Disconnected',
    });
    expect(statusCardView({ kind: 'unauthorized' }, 'r1', now).state).toBe('closed');
  });
});

describe('the banner once in the room', () => {
  it('is absent while connected', () => {
    expect(bannerView({ kind: 'connected', host: 'h:1', resumed: false, since: now }, now)).toBeNull();
  });

  it('says the room is back for a moment after a reconnect, then goes', () => {
    const back: ConnectionStatus = { kind: 'connected', host: 'h:2', resumed: true, since: now };
    expect(bannerView(back, now)).toEqual({
      state: 'back',
      text: 'Back in the room, on h:2.',
      button: null,
    });
    expect(bannerView(back, now + BACK_NOTICE_MS - 1)?.state).toBe('back');
    expect(bannerView(back, now + BACK_NOTICE_MS)).toBeNull();
  });

  it('counts down to the next attempt with a Reconnect now button', () => {
    expect(bannerView(waiting, now)).toEqual({
      state: 'waiting',
      text: 'Disconnected: Server shutting down. Reconnecting in 3 s… (attempt 2)',
      button: 'Reconnect now',
    });
  });

  it('has no button while an attempt is under way', () => {
    expect(bannerView({ kind: 'resolving', attempt: 3 }, now)).toEqual({
      state: 'resolving',
      text: 'Reconnecting… (attempt 3)',
      button: null,
    });
    expect(bannerView({ kind: 'connecting', attempt: 3, host: 'h:1' }, now)?.button).toBeNull();
  });

  it('waits for the user after a refusal or after giving up', () => {
    expect(bannerView({ kind: 'rejected', code: 1013, reason: 'Server is full' }, now)).toEqual({
      state: 'rejected',
      text: 'Disconnected: Server is full.',
      button: 'Reconnect',
    });
    expect(bannerView({ kind: 'failed', reason: 'Cannot reach the server' }, now)).toEqual({
      state: 'failed',
      text: 'Disconnected: Cannot reach the server. Gave up reconnecting.',
      button: 'Reconnect',
    });
  });

  it('says when the room went away', () => {
    expect(bannerView({ kind: 'not_found' }, now)).toEqual({
      state: 'not-found',
      text: 'This room no longer exists.',
      button: null,
    });
    expect(bannerView({ kind: 'closed' }, now)).toEqual({
      state: 'closed',
      text: 'Disconnected.',
      button: null,
    });
  });
});

describe('the note about messages kept from before a reload', () => {
  it('counts them, and is absent when there are none', () => {
    expect(pendingNote(0)).toBeUndefined();
    expect(pendingNote(1)).toBe('1 unsent message will be sent once you are back in the room.');
    expect(pendingNote(3)).toBe('3 unsent messages will be sent once you are back in the room.');
  });
});
