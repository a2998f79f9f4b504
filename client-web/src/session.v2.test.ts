// RoomSession with a server that speaks v2: ids, acknowledgements, the
// resend after a reconnect, failover look-ups and the copy of what is
// unacknowledged in sessionStorage.
import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { MemoryStorage, harness, loc, snapshot } from './fakeSession';
import { pendingKey } from './pendingStore';
import { EVENT_SUBPROTOCOL_V2 } from './protocol';

const V2 = { protocol: EVENT_SUBPROTOCOL_V2 };
const echo = (id: string, msg: string, ts = 'T') => ({ type: 'message', userId: 'alice', msg, ts, id });

async function joined(h: ReturnType<typeof harness>, users = ['alice']) {
  h.session.start();
  await h.flush();
  h.last().serverSends(snapshot(users));
}

describe('RoomSession over v2', () => {
  it('sends {id, msg} with ids from the tab\u2019s source; its own echo ends "sending"', async () => {
    const h = harness([loc()], V2);
    await joined(h);
    h.session.send('hello');
    h.session.send('hello');
    expect(h.last().sentMessages()).toEqual([
      { id: 'tab1-1', msg: 'hello' },
      { id: 'tab1-2', msg: 'hello' },
    ]);
    h.last().serverSends(echo('tab1-2', 'hello'));
    expect(h.session.getSnapshot().room.outbox.map((o) => o.id)).toEqual(['tab1-1']);
  });

  it('falls back to bare text when the server chose v1', async () => {
    const h = harness([loc()]);
    await joined(h);
    h.session.send('hello');
    expect(h.last().sent).toEqual(['hello']);
  });

  it('re-sends every unacknowledged message in order after a reconnect, with the same ids', async () => {
    const h = harness([loc('h1:8000'), loc('h2:8000')], V2);
    await joined(h);
    h.session.send('one');
    h.session.send('two');
    h.last().serverSends(echo('tab1-1', 'one'));
    h.last().serverCloses(1006);
    h.session.send('typed during the outage');
    expect(h.session.getSnapshot().room.outbox.map((o) => o.status)).toEqual(['queued', 'queued']);
    await h.fireTimer();
    expect(h.last().sent).toEqual([]); // nothing before the snapshot
    h.last().serverSends(snapshot(['alice'], [{ userId: 'alice', msg: 'one', ts: 'T' }]));
    expect(h.last().sentMessages()).toEqual([
      { id: 'tab1-2', msg: 'two' },
      { id: 'tab1-3', msg: 'typed during the outage' },
    ]);
    // "two" had been stored before the crash: the server acks; the other is delivered
    h.last().serverSends({ type: 'ack', id: 'tab1-2' });
    h.last().serverSends(echo('tab1-3', 'typed during the outage'));
    const room = h.session.getSnapshot().room;
    expect(room.outbox).toEqual([]);
    expect(room.messages.filter((m) => m.msg === 'typed during the outage')).toHaveLength(1);
  });

  it('a message typed while connected after the resend goes after it', async () => {
    const h = harness([loc()], V2);
    await joined(h);
    h.last().serverCloses(1012, 'Room moving');
    h.session.send('offline');
    await h.fireTimer();
    h.last().serverSends(snapshot());
    h.session.send('online');
    expect(h.last().sentMessages().map((m) => m.msg)).toEqual(['offline', 'online']);
  });

  it('a refusal naming an id marks that message not sent; Retry sends the same id again', async () => {
    const h = harness([loc()], V2);
    await joined(h);
    h.session.send('a');
    h.session.send('b');
    h.last().serverSends({ type: 'error', code: 'rate_limited', message: 'Slow down', id: 'tab1-1' });
    expect(h.session.getSnapshot().room.outbox.map((o) => [o.id, o.status])).toEqual([
      ['tab1-1', 'failed'],
      ['tab1-2', 'sending'],
    ]);
    h.session.retry('tab1-1');
    expect(h.last().sentMessages().at(-1)).toEqual({ id: 'tab1-1', msg: 'a' });
  });

  it('after a close without a close frame, looks the room up naming the host it lost', async () => {
    const h = harness([loc('h1:8000'), loc('h2:8000')], V2);
    await joined(h);
    h.last().serverCloses(1006);
    await h.fireTimer();
    expect(h.unreachable).toEqual([null, 'h1:8000']);
    expect(h.last().url).toBe('ws://h2:8000/?token=sess');
  });

  it.each([
    [1012, 'Room moving'],
    [1001, 'Server shutting down'],
  ])('after %i %s, a plain look-up', async (code, reason) => {
    const h = harness([loc('h1:8000'), loc('h2:8000')], V2);
    await joined(h);
    h.last().serverCloses(code, reason);
    expect(h.session.getSnapshot().status).toMatchObject({ kind: 'waiting', reason });
    await h.fireTimer();
    expect(h.unreachable).toEqual([null, null]);
  });

  it('keeps naming the lost host while the look-up itself fails, then stops once it answers', async () => {
    const h = harness([loc('h1:8000'), new Error('offline'), loc('h2:8000')], V2);
    await joined(h);
    h.last().serverCloses(1006);
    await h.fireTimer(); // look-up fails
    await h.fireTimer(); // look-up answers h2
    h.last().serverCloses(1001, 'Server shutting down');
    await h.fireTimer();
    expect(h.unreachable).toEqual([null, 'h1:8000', 'h1:8000', null]);
  });

  it('waits at least Retry-After when the look-up answers 503 or 429', async () => {
    const h = harness([new ApiError(503, 'No session server has a free slot', 7), loc()], V2);
    h.session.start();
    await h.flush();
    expect(h.timers[0].ms).toBe(7000); // backoff alone would be 750 ms
    expect(h.session.getSnapshot().status).toMatchObject({
      kind: 'waiting',
      reason: 'No session server has a free slot',
    });
  });

  it('says it is back after a reconnect, not on the first join', async () => {
    const h = harness([loc('h1:8000'), loc('h2:8000')], V2);
    await joined(h);
    expect(h.session.getSnapshot().status).toMatchObject({ kind: 'connected', resumed: false });
    h.last().serverCloses(1006);
    await h.fireTimer();
    h.last().serverSends(snapshot());
    expect(h.session.getSnapshot().status).toMatchObject({ kind: 'connected', host: 'h2:8000', resumed: true });
  });

  it('keeps the conversation shown through the outage', async () => {
    const h = harness([loc()], V2);
    await joined(h);
    h.last().serverSends({ type: 'message', userId: 'bob', msg: 'before', ts: 'T0', id: 'b-1' });
    h.last().serverCloses(1006);
    const room = h.session.getSnapshot().room;
    expect(room.joined).toBe(true);
    expect(room.messages.map((m) => m.msg)).toEqual(['before']);
  });
});

describe('unacknowledged messages outlive a reload (sessionStorage)', () => {
  it('are written as they change and removed once acknowledged', async () => {
    const h = harness([loc()], V2);
    await joined(h);
    const key = pendingKey('r1', 'alice');
    h.session.send('one');
    expect(JSON.parse(h.storage.getItem(key)!)).toEqual([{ id: 'tab1-1', text: 'one', createdAt: 0 }]);
    h.last().serverSends(echo('tab1-1', 'one'));
    expect(h.storage.getItem(key)).toBeNull();
  });

  it('a new page (another id prefix) sends the kept ones first, with their own ids, exactly once', async () => {
    const storage = new MemoryStorage();
    const before = harness([loc()], { ...V2, storage, idPrefix: 'tab1' });
    await joined(before);
    before.last().serverCloses(1006);
    before.session.send('typed during the outage');
    before.session.stop(); // the reload

    const after = harness([loc('h2:8000')], { ...V2, storage, idPrefix: 'tab2' });
    expect(after.session.getSnapshot().room.outbox).toMatchObject([
      { id: 'tab1-1', text: 'typed during the outage', status: 'queued' },
    ]);
    await joined(after);
    after.session.send('after the reload');
    expect(after.last().sentMessages()).toEqual([
      { id: 'tab1-1', msg: 'typed during the outage' },
      { id: 'tab2-1', msg: 'after the reload' },
    ]);
    after.last().serverSends(echo('tab1-1', 'typed during the outage'));
    after.last().serverSends(echo('tab2-1', 'after the reload'));
    expect(after.session.getSnapshot().room.outbox).toEqual([]);
    expect(storage.items.size).toBe(0);
  });

  it('refuses to queue more than the bound, and says why', async () => {
    const h = harness([loc()], V2);
    h.session.start();
    await h.flush();
    h.last().serverSends(snapshot());
    h.last().serverCloses(1006);
    let taken = 0;
    while (h.session.send(`m${taken}`)) taken++;
    expect(taken).toBe(200);
    expect(h.session.getSnapshot().room.notice?.code).toBe('too_many_pending');
  });
});
