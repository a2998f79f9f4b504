import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from './api';
import { EVENT_SUBPROTOCOLS } from './protocol';
import { harness, loc, snapshot } from './fakeSession';

describe('RoomSession', () => {
  it('looks the room up, connects with the event subprotocol and is connected after the snapshot', async () => {
    const h = harness([loc()]);
    h.session.start();
    await h.flush();
    expect(h.sockets).toHaveLength(1);
    expect(h.sockets[0].url).toBe('ws://h1:8000/?token=sess');
    expect(h.sockets[0].protocols).toEqual(EVENT_SUBPROTOCOLS);
    expect(h.session.getSnapshot().status.kind).toBe('connecting');
    h.sockets[0].serverSends(snapshot());
    expect(h.session.getSnapshot().status).toMatchObject({ kind: 'connected', host: 'h1:8000', resumed: false });
    expect(h.session.getSnapshot().room.joined).toBe(true);
  });

  it('shows not found for an unknown room and does not retry', async () => {
    const h = harness([null]);
    h.session.start();
    await h.flush();
    expect(h.session.getSnapshot().status.kind).toBe('not_found');
    expect(h.timers).toHaveLength(0);
  });

  it('reports 401 as unauthorized', async () => {
    const h = harness([new UnauthorizedError()]);
    h.session.start();
    await h.flush();
    expect(h.session.getSnapshot().status.kind).toBe('unauthorized');
  });

  it.each([
    [1008, 'Room is full'],
    [1008, 'Duplicate user'],
    [1013, 'Server is full'],
  ])('does not retry close %i %s, and shows the reason', async (code, reason) => {
    const h = harness([loc()]);
    h.session.start();
    await h.flush();
    h.sockets[0].serverCloses(code, reason);
    expect(h.session.getSnapshot().status).toEqual({ kind: 'rejected', code, reason });
    expect(h.timers).toHaveLength(0);
  });

  it('after a dropped connection, "Duplicate user" is our own ghost: it retries until the server lets go', async () => {
    const h = harness([loc(), loc(), loc()]);
    h.session.start();
    await h.flush();
    h.sockets[0].serverSends(snapshot());
    h.sockets[0].serverCloses(1006);
    await h.fireTimer();
    h.sockets[1].serverCloses(1008, 'Duplicate user');
    expect(h.session.getSnapshot().status.kind).toBe('waiting');
    await h.fireTimer();
    h.sockets[2].serverSends(snapshot());
    expect(h.session.getSnapshot().status.kind).toBe('connected');
  });

  it('on 1001 looks the room up again (it moved) and reconnects to the new host, with growing delays', async () => {
    const h = harness([loc('h1:8000'), loc('h2:8000')]);
    h.session.start();
    await h.flush();
    h.sockets[0].serverSends(snapshot());
    h.sockets[0].serverCloses(1001, 'Server shutting down');
    const st = h.session.getSnapshot().status;
    expect(st).toMatchObject({ kind: 'waiting', attempt: 2, reason: 'Server shutting down' });
    expect(h.timers[0].ms).toBe(750); // attempt 1: ceiling 1000, jitter 0.5
    await h.fireTimer();
    expect(h.looked).toEqual(['r1', 'r1']);
    expect(h.sockets[1].url).toBe('ws://h2:8000/?token=sess');
    h.sockets[1].serverCloses(1006);
    expect(h.timers[0].ms).toBe(1500); // attempt 2: ceiling 2000
    await h.fireTimer();
    h.sockets[2].serverSends(snapshot());
    expect(h.session.getSnapshot().status.kind).toBe('connected');
    // a success resets the schedule
    h.sockets[2].serverCloses(1006);
    expect(h.timers[0].ms).toBe(750);
  });

  it('gives up after maxAttempts, and "Reconnect" starts over', async () => {
    const h = harness([new Error('network down')]);
    h.session.start();
    await h.flush();
    for (let i = 0; i < 4; i++) await h.fireTimer();
    expect(h.session.getSnapshot().status.kind).toBe('failed');
    expect(h.timers).toHaveLength(0);
    h.session.reconnectNow();
    await h.flush();
    expect(h.looked).toHaveLength(6);
  });

  it('keeps unsent messages across a reconnect and re-sends them after the new snapshot', async () => {
    const h = harness([loc()]);
    h.session.start();
    await h.flush();
    h.sockets[0].serverSends(snapshot());
    expect(h.session.send('first')).toBe(true);
    expect(h.sockets[0].sent).toEqual(['first']);
    h.sockets[0].serverCloses(1006);
    expect(h.session.send('offline')).toBe(true);
    expect(h.session.getSnapshot().room.outbox.map((o) => o.status)).toEqual(['queued', 'queued']);
    await h.fireTimer();
    h.sockets[1].serverSends(snapshot());
    expect(h.sockets[1].sent).toEqual(['first', 'offline']);
    expect(h.session.getSnapshot().room.outbox.map((o) => o.status)).toEqual(['sending', 'sending']);
    h.sockets[1].serverSends({ type: 'message', userId: 'alice', msg: 'first', ts: 'T' });
    h.sockets[1].serverSends({ type: 'error', code: 'rate_limited', message: 'Slow down' });
    const out = h.session.getSnapshot().room.outbox;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ text: 'offline', status: 'failed', error: { message: 'Slow down' } });
    h.session.retry(out[0].id);
    expect(h.sockets[1].sent).toEqual(['first', 'offline', 'offline']);
  });

  it('refuses empty and over-long messages', async () => {
    const h = harness([loc()]);
    h.session.start();
    await h.flush();
    h.sockets[0].serverSends({ ...snapshot(), limits: { maxMessageLength: 5 } });
    expect(h.session.send('   ')).toBe(false);
    expect(h.session.send('123456')).toBe(false);
    expect(h.session.send('12345')).toBe(true);
    expect(h.sockets[0].sent).toEqual(['12345']);
  });

  it('stop() closes the socket and ignores late events', async () => {
    const h = harness([loc()]);
    h.session.start();
    await h.flush();
    h.session.stop();
    expect(h.sockets[0].readyState).toBe(3);
    expect(h.session.getSnapshot().status.kind).toBe('closed');
    expect(h.timers).toHaveLength(0);
  });
});
