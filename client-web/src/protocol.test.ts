import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  EVENT_SUBPROTOCOLS,
  EVENT_SUBPROTOCOL_V1,
  EVENT_SUBPROTOCOL_V2,
  describeClose,
  encodeMessage,
  isTerminalClose,
  parseServerFrame,
  parseServerFrames,
  userIdFromToken,
  wireProtocolOf,
} from './protocol';

const snap = {
  type: 'snapshot',
  roomId: 'r1',
  messages: [{ userId: 'alice', msg: 'Hello!', ts: '2024-01-01T12:00:00.000Z' }],
  connectedUsers: ['alice', 'bob'],
  limits: { maxUsers: 100, maxMessageLength: 500, historyMessages: 100, messagesPerSecond: 10 },
};

describe('parseServerFrame', () => {
  it('parses a snapshot with limits', () => {
    const f = parseServerFrame(JSON.stringify(snap));
    expect(f).toEqual({ ...snap });
  });

  it('tolerates unknown fields and fills missing limits with defaults', () => {
    const f = parseServerFrame(
      JSON.stringify({ type: 'snapshot', messages: [], connectedUsers: ['a'], extra: { x: 1 }, limits: { maxMessageLength: 42, future: 1 } }),
    );
    expect(f).toEqual({
      type: 'snapshot',
      roomId: null,
      messages: [],
      connectedUsers: ['a'],
      limits: { ...DEFAULT_LIMITS, maxMessageLength: 42 },
    });
  });

  it('ignores nonsensical limits', () => {
    const f = parseServerFrame(JSON.stringify({ ...snap, limits: { maxMessageLength: -5, maxUsers: 'many' } }));
    expect(f?.type === 'snapshot' && f.limits).toEqual(DEFAULT_LIMITS);
  });

  it('drops malformed entries of a snapshot but keeps the rest', () => {
    const f = parseServerFrame(
      JSON.stringify({
        type: 'snapshot',
        messages: [{ userId: 'a', msg: 'ok', ts: 't' }, { userId: 7, msg: 'x', ts: 't' }, null, 'str'],
        connectedUsers: ['a', 3, '', 'a', 'b'],
      }),
    );
    expect(f).toMatchObject({ messages: [{ userId: 'a', msg: 'ok', ts: 't' }], connectedUsers: ['a', 'b'] });
  });

  it('accepts the seed (compatibility mode) snapshot without a type, with its error field', () => {
    const f = parseServerFrame(
      JSON.stringify({ messages: [], connectedUsers: ['a'], error: { code: 'message_too_long', message: 'Too long' } }),
    );
    expect(f).toMatchObject({ type: 'snapshot', error: { code: 'message_too_long', message: 'Too long' } });
  });

  it('parses message, join, leave and error events', () => {
    expect(parseServerFrame('{"type":"message","userId":"alice","msg":"hi","ts":"T","seq":5}')).toEqual({
      type: 'message',
      userId: 'alice',
      msg: 'hi',
      ts: 'T',
    });
    expect(parseServerFrame('{"type":"join","userId":"bob","ts":"T"}')).toEqual({ type: 'join', userId: 'bob', ts: 'T' });
    expect(parseServerFrame('{"type":"leave","userId":"bob","ts":"T"}')).toEqual({ type: 'leave', userId: 'bob', ts: 'T' });
    expect(parseServerFrame('{"type":"error","code":"rate_limited","message":"Slow down"}')).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'Slow down',
    });
  });

  it('keeps an empty message text (it is a string) but not a missing one', () => {
    expect(parseServerFrame('{"type":"message","userId":"a","msg":"","ts":"T"}')).not.toBeNull();
    expect(parseServerFrame('{"type":"message","userId":"a","ts":"T"}')).toBeNull();
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"type":"message"'],
    ['JSON null', 'null'],
    ['JSON array', '[1,2]'],
    ['JSON number', '42'],
    ['unknown type', '{"type":"typing","userId":"a"}'],
    ['type not a string', '{"type":5}'],
    ['message without userId', '{"type":"message","msg":"hi","ts":"T"}'],
    ['message with numeric msg', '{"type":"message","userId":"a","msg":5,"ts":"T"}'],
    ['join without userId', '{"type":"join","ts":"T"}'],
    ['join with empty userId', '{"type":"join","userId":"","ts":"T"}'],
    ['snapshot without connectedUsers', '{"type":"snapshot","messages":[]}'],
    ['snapshot with messages not an array', '{"type":"snapshot","messages":{},"connectedUsers":[]}'],
    ['error with nothing in it', '{"type":"error"}'],
    ['object without type or snapshot fields', '{"hello":"world"}'],
  ])('rejects garbage: %s', (_name, data) => {
    expect(parseServerFrame(data)).toBeNull();
  });

  it('rejects non-string data (binary frames)', () => {
    expect(parseServerFrame(new ArrayBuffer(4))).toBeNull();
    expect(parseServerFrame(undefined)).toBeNull();
    expect(parseServerFrame({ type: 'message' })).toBeNull();
  });
});

describe('close codes', () => {
  it('does not retry 1008 and 1013, retries the others', () => {
    expect(isTerminalClose(1008)).toBe(true);
    expect(isTerminalClose(1013)).toBe(true);
    for (const c of [1000, 1001, 1006, 1007, 1009, 1011]) expect(isTerminalClose(c)).toBe(false);
  });
  it('prefers the server reason', () => {
    expect(describeClose(1008, 'Duplicate user')).toBe('Duplicate user');
    expect(describeClose(1013, '')).toBe('Server is full');
    expect(describeClose(1006, '')).toBe('Connection lost');
  });
});

describe('userIdFromToken', () => {
  const b64url = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  it('reads the userId of a JWT payload, UTF-8 included', () => {
    const t = `${b64url('{"alg":"HS256"}')}.${b64url('{"userId":"zoë ✓","iat":1}')}.sig`;
    expect(userIdFromToken(t)).toBe('zoë ✓');
  });
  it('returns null for garbage', () => {
    expect(userIdFromToken('abc')).toBeNull();
    expect(userIdFromToken('a.!!!.c')).toBeNull();
    expect(userIdFromToken(`a.${b64url('{"user":"x"}')}.c`)).toBeNull();
  });
});

describe('parseServerFrames (batches)', () => {
  it('reads a single event object as a batch of one', () => {
    const frames = parseServerFrames(JSON.stringify({ type: 'join', userId: 'bob', ts: 't' }));
    expect(frames).toEqual([{ type: 'join', userId: 'bob', ts: 't' }]);
  });
  it('reads an array of events in order', () => {
    const frames = parseServerFrames(
      JSON.stringify([
        { type: 'message', userId: 'a', msg: 'one', ts: 't1' },
        { type: 'leave', userId: 'b', ts: 't2' },
        { type: 'message', userId: 'a', msg: 'two', ts: 't3' },
      ]),
    );
    expect(frames.map((f) => f.type)).toEqual(['message', 'leave', 'message']);
    expect(frames[2]).toMatchObject({ msg: 'two' });
  });
  it('drops garbage entries and garbage frames', () => {
    expect(parseServerFrames(JSON.stringify([{ type: 'nope' }, 3, { type: 'leave', userId: 'b' }])).length).toBe(1);
    expect(parseServerFrames('not json')).toEqual([]);
    expect(parseServerFrames(new ArrayBuffer(2))).toEqual([]);
  });
});

describe('v2 (scalable-chat.events.v2)', () => {
  it('offers v2 first, v1 second', () => {
    expect(EVENT_SUBPROTOCOLS).toEqual([EVENT_SUBPROTOCOL_V2, EVENT_SUBPROTOCOL_V1]);
  });

  it('speaks v2 only when the server echoed it (v1, or none at all from the seed, is v1)', () => {
    expect(wireProtocolOf(EVENT_SUBPROTOCOL_V2)).toBe('v2');
    expect(wireProtocolOf(EVENT_SUBPROTOCOL_V1)).toBe('v1');
    expect(wireProtocolOf('')).toBe('v1');
  });

  it('sends a message as {id, msg} in v2 and as its bare text in v1', () => {
    expect(JSON.parse(encodeMessage('v2', 'k3f9x-17', 'hi "you"'))).toEqual({ id: 'k3f9x-17', msg: 'hi "you"' });
    expect(encodeMessage('v1', 'k3f9x-17', 'hi')).toBe('hi');
  });

  it('reads the sender id of a message event, and the id of an error', () => {
    const m = { type: 'message', userId: 'alice', msg: 'hi', ts: 'T', id: 'k3f9x-17' };
    expect(parseServerFrame(JSON.stringify(m))).toEqual(m);
    const e = { type: 'error', code: 'rate_limited', message: 'Slow down', id: 'k3f9x-18' };
    expect(parseServerFrame(JSON.stringify(e))).toEqual(e);
    expect(parseServerFrame(JSON.stringify({ ...m, id: '' }))).toEqual({ type: 'message', userId: 'alice', msg: 'hi', ts: 'T' });
  });

  it('parses an ack, and rejects one without an id', () => {
    expect(parseServerFrame('{"type":"ack","id":"k3f9x-17"}')).toEqual({ type: 'ack', id: 'k3f9x-17' });
    expect(parseServerFrame('{"type":"ack"}')).toBeNull();
    expect(parseServerFrame('{"type":"ack","id":17}')).toBeNull();
  });

  it('names 1012 Room moving', () => {
    expect(describeClose(1012, '')).toBe('Room moving');
    expect(isTerminalClose(1012)).toBe(false);
  });
});
