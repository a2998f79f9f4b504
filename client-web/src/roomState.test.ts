import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseServerFrame, type ServerFrame } from './protocol';
import { MAX_KEPT_MESSAGES, initialRoomState, queuedItems, roomReducer, type RoomAction, type RoomState } from './roomState';

function frame(obj: unknown): RoomAction {
  const f = parseServerFrame(JSON.stringify(obj));
  if (!f) throw new Error(`test frame did not parse: ${JSON.stringify(obj)}`);
  return { type: 'frame', frame: f };
}
const snapshot = (messages: unknown[], users: string[], extra: object = {}) =>
  frame({ type: 'snapshot', roomId: 'r1', messages, connectedUsers: users, ...extra });
const msg = (userId: string, m: string, ts = 'T') => frame({ type: 'message', userId, msg: m, ts });
const send = (id: string, text: string, connected = true): RoomAction => ({ type: 'send', id, text, now: 1000, connected });
const run = (s: RoomState, ...actions: RoomAction[]) => actions.reduce(roomReducer, s);

const alice = () => initialRoomState('alice', 'r1');

describe('snapshot', () => {
  it('sets messages, users and limits and marks the room joined', () => {
    const s = run(
      alice(),
      snapshot([{ userId: 'bob', msg: 'hey', ts: 'T1' }], ['bob', 'alice'], { limits: { maxMessageLength: 300 } }),
    );
    expect(s.joined).toBe(true);
    expect(s.messages).toEqual([{ userId: 'bob', msg: 'hey', ts: 'T1' }]);
    expect(s.users).toEqual(['bob', 'alice']);
    expect(s.limits).toEqual({ ...DEFAULT_LIMITS, maxMessageLength: 300 });
  });

  it('starts not joined with default limits', () => {
    expect(alice().joined).toBe(false);
    expect(alice().limits.maxMessageLength).toBe(1000);
  });
});

describe('message events', () => {
  it('appends messages in order', () => {
    const s = run(alice(), snapshot([], ['alice']), msg('bob', 'one', 'T1'), msg('alice', 'two', 'T2'));
    expect(s.messages.map((m) => m.msg)).toEqual(['one', 'two']);
  });

  it('keeps at most MAX_KEPT_MESSAGES, dropping the oldest', () => {
    let s = run(alice(), snapshot([], ['alice']));
    for (let i = 0; i < MAX_KEPT_MESSAGES + 5; i++) s = roomReducer(s, msg('bob', `m${i}`));
    expect(s.messages).toHaveLength(MAX_KEPT_MESSAGES);
    expect(s.messages[0].msg).toBe('m5');
  });
});

describe('join and leave', () => {
  it('adds and removes users, ignoring duplicates and unknown leaves', () => {
    let s = run(alice(), snapshot([], ['alice']), frame({ type: 'join', userId: 'bob', ts: 'T' }));
    expect(s.users).toEqual(['alice', 'bob']);
    const same = roomReducer(s, frame({ type: 'join', userId: 'bob', ts: 'T' }));
    expect(same.users).toEqual(['alice', 'bob']);
    s = roomReducer(s, frame({ type: 'leave', userId: 'carol', ts: 'T' }));
    expect(s.users).toEqual(['alice', 'bob']);
    s = roomReducer(s, frame({ type: 'leave', userId: 'bob', ts: 'T' }));
    expect(s.users).toEqual(['alice']);
  });
});

describe('pending messages', () => {
  const joined = () => run(alice(), snapshot([], ['alice', 'bob']));

  it('shows a sent message as sending until its own echo comes back', () => {
    let s = run(joined(), send('l1', 'hello'));
    expect(s.outbox).toEqual([{ id: 'l1', text: 'hello', createdAt: 1000, status: 'sending' }]);
    expect(s.messages).toEqual([]);
    s = roomReducer(s, msg('alice', 'hello', 'T9'));
    expect(s.outbox).toEqual([]);
    expect(s.messages).toEqual([{ userId: 'alice', msg: 'hello', ts: 'T9' }]);
  });

  it('does not take another user\u2019s message with the same text as our echo', () => {
    const s = run(joined(), send('l1', 'hello'), msg('bob', 'hello'));
    expect(s.outbox.map((o) => o.id)).toEqual(['l1']);
    expect(s.messages).toHaveLength(1);
  });

  it('matches echoes by text, oldest first, for repeated texts', () => {
    let s = run(joined(), send('l1', 'x'), send('l2', 'y'), send('l3', 'x'));
    s = roomReducer(s, msg('alice', 'x'));
    expect(s.outbox.map((o) => o.id)).toEqual(['l2', 'l3']);
    s = run(s, msg('alice', 'y'), msg('alice', 'x'));
    expect(s.outbox).toEqual([]);
    expect(s.messages.map((m) => m.msg)).toEqual(['x', 'y', 'x']);
  });

  it('marks the oldest in-flight message not sent on an error event, with the reason', () => {
    let s = run(joined(), send('l1', 'ok'), send('l2', 'way too long'));
    s = roomReducer(s, msg('alice', 'ok'));
    s = roomReducer(s, frame({ type: 'error', code: 'message_too_long', message: 'Message is longer than 1000 characters' }));
    expect(s.outbox).toEqual([
      {
        id: 'l2',
        text: 'way too long',
        createdAt: 1000,
        status: 'failed',
        error: { code: 'message_too_long', message: 'Message is longer than 1000 characters' },
      },
    ]);
    expect(s.notice).toBeNull();
  });

  it('an error with nothing in flight becomes a notice, dismissable', () => {
    let s = roomReducer(joined(), frame({ type: 'error', code: 'rate_limited', message: 'Slow down' }));
    expect(s.notice).toEqual({ code: 'rate_limited', message: 'Slow down' });
    s = roomReducer(s, { type: 'dismissNotice' });
    expect(s.notice).toBeNull();
  });

  it('a failed message can be retried (moved to the end) or discarded', () => {
    let s = run(joined(), send('l1', 'a'), send('l2', 'b'));
    s = roomReducer(s, frame({ type: 'error', code: 'rate_limited', message: 'Slow down' }));
    expect(s.outbox[0].status).toBe('failed');
    s = roomReducer(s, { type: 'retry', id: 'l1', connected: true });
    expect(s.outbox.map((o) => [o.id, o.status])).toEqual([
      ['l2', 'sending'],
      ['l1', 'sending'],
    ]);
    expect(s.outbox[1].error).toBeUndefined();
    s = roomReducer(s, { type: 'discard', id: 'l2' });
    expect(s.outbox.map((o) => o.id)).toEqual(['l1']);
  });

  it('retry is a no-op for a message that is not failed', () => {
    const s = run(joined(), send('l1', 'a'));
    expect(roomReducer(s, { type: 'retry', id: 'l1', connected: true })).toBe(s);
  });

  it('a failed message is not taken by a later echo of the same text', () => {
    let s = run(joined(), send('l1', 'a'));
    s = roomReducer(s, frame({ type: 'error', code: 'rate_limited', message: 'Slow down' }));
    s = roomReducer(s, msg('alice', 'a')); // e.g. from another tab of the same user
    expect(s.outbox.map((o) => o.status)).toEqual(['failed']);
  });

  it('messages typed while disconnected are queued, in-flight ones too on disconnect', () => {
    let s = run(joined(), send('l1', 'in flight'), { type: 'disconnected' }, send('l2', 'typed offline', false));
    expect(s.outbox.map((o) => o.status)).toEqual(['queued', 'queued']);
    expect(queuedItems(s).map((o) => o.text)).toEqual(['in flight', 'typed offline']);
    s = roomReducer(s, { type: 'flushed' });
    expect(s.outbox.map((o) => o.status)).toEqual(['sending', 'sending']);
  });

  it('survives a reconnect: a snapshot holding a queued message acknowledges it, the rest stays queued', () => {
    let s = run(joined(), msg('bob', 'before', 'T0'), send('l1', 'delivered'), send('l2', 'lost'), { type: 'disconnected' });
    // the new snapshot holds "delivered" (the server got it before the drop), not "lost"
    s = roomReducer(
      s,
      snapshot(
        [
          { userId: 'bob', msg: 'before', ts: 'T0' },
          { userId: 'alice', msg: 'delivered', ts: 'T1' },
        ],
        ['alice', 'bob'],
      ),
    );
    expect(s.outbox.map((o) => [o.id, o.status])).toEqual([['l2', 'queued']]);
    expect(s.messages.map((m) => m.msg)).toEqual(['before', 'delivered']);
  });

  it('a reconnect snapshot does not take a queued message for an own message seen before', () => {
    let s = run(alice(), snapshot([{ userId: 'alice', msg: 'hi', ts: 'T0' }], ['alice']));
    s = run(s, { type: 'disconnected' }, send('l1', 'hi', false));
    s = roomReducer(s, snapshot([{ userId: 'alice', msg: 'hi', ts: 'T0' }], ['alice']));
    expect(s.outbox.map((o) => o.id)).toEqual(['l1']);
  });

  it('seed compatibility: an error carried by a snapshot fails the oldest in-flight message', () => {
    let s = run(joined(), send('l1', 'x'));
    s = roomReducer(s, snapshot([], ['alice'], { error: { code: 'message_too_long', message: 'Too long' } }));
    expect(s.outbox[0]).toMatchObject({ status: 'failed', error: { message: 'Too long' } });
  });
});

describe('history across reconnects', () => {
  const m = (userId: string, text: string, ts: string) => ({ userId, msg: text, ts });
  it('the first snapshot replaces everything', () => {
    const s = run(alice(), snapshot([m('bob', 'a', 'T1')], ['alice']));
    expect(s.messages.map((x) => x.msg)).toEqual(['a']);
  });

  it('a later snapshot that overlaps replaces the overlapping tail and keeps older messages', () => {
    let s = run(alice(), snapshot([m('bob', 'a', 'T1'), m('bob', 'b', 'T2')], ['alice']), msg('bob', 'c', 'T3'));
    s = run(s, { type: 'disconnected' }, snapshot([m('bob', 'b', 'T2'), m('bob', 'c', 'T3'), m('bob', 'd', 'T4')], ['alice']));
    expect(s.messages.map((x) => x.msg)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a snapshot of a restarted room (no overlap) is appended, nothing shown before is lost', () => {
    let s = run(alice(), snapshot([m('bob', 'old', 'T1')], ['alice', 'bob']));
    s = run(s, { type: 'disconnected' }, snapshot([m('bob', 'new', 'T9')], ['alice']));
    expect(s.messages.map((x) => x.msg)).toEqual(['old', 'new']);
    s = run(s, { type: 'disconnected' }, snapshot([], ['alice']));
    expect(s.messages.map((x) => x.msg)).toEqual(['old', 'new']);
    expect(s.users).toEqual(['alice']);
  });
});

describe('frames the parser rejects never reach the reducer', () => {
  it('garbage parses to null', () => {
    const bad: (ServerFrame | null)[] = ['{', '{"type":"message"}', '[]'].map(parseServerFrame);
    expect(bad).toEqual([null, null, null]);
  });
});

describe('v2: acknowledgement by id', () => {
  const joinedV2 = () => run(alice(), { type: 'opened', protocol: 'v2' }, snapshot([], ['alice', 'bob']));
  const own = (text: string, id: string, ts = 'T') => frame({ type: 'message', userId: 'alice', msg: text, ts, id });

  it('the message event with our id ends "sending", whatever its text and order', () => {
    let s = run(joinedV2(), send('t-1', 'same'), send('t-2', 'same'));
    s = roomReducer(s, own('same', 't-2'));
    expect(s.outbox.map((o) => o.id)).toEqual(['t-1']);
    expect(s.messages).toEqual([{ userId: 'alice', msg: 'same', ts: 'T', id: 't-2' }]);
  });

  it('an error naming an id fails that message, not the oldest in flight', () => {
    let s = run(joinedV2(), send('t-1', 'a'), send('t-2', 'b'));
    s = roomReducer(s, frame({ type: 'error', code: 'rate_limited', message: 'Slow down', id: 't-2' }));
    expect(s.outbox.map((o) => [o.id, o.status])).toEqual([
      ['t-1', 'sending'],
      ['t-2', 'failed'],
    ]);
    // an id we do not know is said as a notice
    s = roomReducer(s, frame({ type: 'error', code: 'rate_limited', message: 'Slow down', id: 't-9' }));
    expect(s.notice?.message).toBe('Slow down');
  });

  it('an ack drops the message from the outbox; the snapshot already shows it', () => {
    let s = run(joinedV2(), send('t-1', 'delivered before the drop'), { type: 'disconnected' });
    s = run(
      s,
      snapshot([{ userId: 'alice', msg: 'delivered before the drop', ts: 'T1' }], ['alice']),
      { type: 'flushed' }, // re-sent
      frame({ type: 'ack', id: 't-1' }),
    );
    expect(s.outbox).toEqual([]);
    expect(s.messages.map((m) => m.msg)).toEqual(['delivered before the drop']);
  });

  it('an ack for a message no snapshot showed adds it, so nothing typed vanishes', () => {
    let s = run(joinedV2(), send('t-1', 'lost from view'));
    s = roomReducer(s, frame({ type: 'ack', id: 't-1' }));
    expect(s.outbox).toEqual([]);
    expect(s.messages).toEqual([
      { userId: 'alice', msg: 'lost from view', ts: new Date(1000).toISOString(), id: 't-1' },
    ]);
  });

  it('an ack for an id not pending changes nothing', () => {
    const s = joinedV2();
    expect(roomReducer(s, frame({ type: 'ack', id: 'nope' }))).toBe(s);
  });

  it('a reconnect snapshot does not guess by text in v2: the message stays pending until acknowledged', () => {
    let s = run(joinedV2(), send('t-1', 'hi'), { type: 'disconnected' });
    s = roomReducer(s, snapshot([{ userId: 'alice', msg: 'hi', ts: 'T1' }], ['alice']));
    expect(s.outbox.map((o) => [o.id, o.status])).toEqual([['t-1', 'queued']]);
  });

  it('a snapshot entry that carries our id acknowledges exactly that message', () => {
    let s = run(joinedV2(), send('t-1', 'hi'), send('t-2', 'hi'), { type: 'disconnected' });
    s = roomReducer(s, snapshot([{ userId: 'alice', msg: 'hi', ts: 'T1', id: 't-2' }], ['alice']));
    expect(s.outbox.map((o) => o.id)).toEqual(['t-1']);
  });

  it('a second message event with an id already shown is not shown twice', () => {
    let s = run(joinedV2(), frame({ type: 'message', userId: 'bob', msg: 'yo', ts: 'T1', id: 'b-1' }));
    s = roomReducer(s, frame({ type: 'message', userId: 'bob', msg: 'yo', ts: 'T2', id: 'b-1' }));
    expect(s.messages).toHaveLength(1);
    // the same id from another user is another message
    s = roomReducer(s, frame({ type: 'message', userId: 'carol', msg: 'yo', ts: 'T3', id: 'b-1' }));
    expect(s.messages).toHaveLength(2);
  });

  it('messages kept from before a reload start queued, in order, behind nothing', () => {
    const restored = [
      { id: 'old-1', text: 'one', createdAt: 1, status: 'queued' as const },
      { id: 'old-2', text: 'two', createdAt: 2, status: 'queued' as const },
    ];
    let s = initialRoomState('alice', 'r1', restored);
    s = run(s, { type: 'opened', protocol: 'v2' }, snapshot([], ['alice']), send('new-1', 'three', false));
    expect(queuedItems(s).map((o) => o.id)).toEqual(['old-1', 'old-2', 'new-1']);
  });
});
