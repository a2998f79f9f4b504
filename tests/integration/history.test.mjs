// Nothing acknowledged is lost: v2 acknowledgements and resends, history in a
// real Redis that outlives a SIGKILLed session server, chat going on while
// Redis is down, and a drain that stores before it closes (docs/PROTOCOL.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, sessionToken, startSession } from './harness.mjs';
import { startRedis } from '../support/redis.mjs';

const V2 = 'scalable-chat.events.v2';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function connect(server, roomId, userId) {
  const client = new Client(`ws://${server.host}/?token=${sessionToken(server.host, roomId, userId)}`, [V2]);
  await client.opened;
  await client.next((f) => f.type === 'snapshot');
  return client;
}

const send = (client, id, msg) => client.send(JSON.stringify({ id, msg }));
const acked = (client, userId, id, from = 0) =>
  client.next((f) => (f.type === 'message' && f.userId === userId && f.id === id) || (f.type === 'ack' && f.id === id), { from });

async function metric(server, name) {
  const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

async function until(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('v2: the sender is acknowledged with its id, a resend is acknowledged but not delivered twice', async () => {
  const session = await startSession();
  try {
    const alice = await connect(session, 'r1', 'alice');
    const bob = await connect(session, 'r1', 'bob');
    assert.equal(alice.ws.protocol, V2);
    send(alice, 'a-1', 'hello');
    const ack = await acked(alice, 'alice', 'a-1');
    assert.equal(ack.msg, 'hello');
    await bob.next((f) => f.type === 'message' && f.msg === 'hello');
    const from = alice.frames.length;
    send(alice, 'a-1', 'hello');
    const again = await alice.next((f) => f.type === 'ack', { from });
    assert.deepEqual(again, { type: 'ack', id: 'a-1' });
    send(alice, 'a-2', 'second');
    await bob.next((f) => f.type === 'message' && f.msg === 'second');
    assert.equal(bob.frames.filter((f) => f.type === 'message' && f.msg === 'hello').length, 1);
    send(alice, 'bad id!', 'x');
    const refusal = await alice.next((f) => f.type === 'error');
    assert.equal(refusal.code, 'invalid_frame');
    assert.equal(await metric(session, 'chat_session_duplicate_messages_total'), 1);
    alice.close(); bob.close();
  } finally {
    await session.stop();
  }
});

test('history outlives a SIGKILLed session server, and ids are remembered across it', async () => {
  const redis = await startRedis();
  const first = await startSession({ args: ['--redis', redis.url] });
  let second;
  try {
    const alice = await connect(first, 'room-k', 'alice');
    for (let i = 1; i <= 3; i++) {
      send(alice, `a-${i}`, `before the crash ${i}`);
      await acked(alice, 'alice', `a-${i}`);
    }
    await first.stop('SIGKILL');
    second = await startSession({ args: ['--redis', redis.url] });
    const carol = new Client(`ws://${second.host}/?token=${sessionToken(second.host, 'room-k', 'carol')}`, [V2]);
    await carol.opened;
    const snapshot = await carol.next((f) => f.type === 'snapshot');
    assert.deepEqual(snapshot.messages.map((m) => m.msg), ['before the crash 1', 'before the crash 2', 'before the crash 3']);
    assert.ok(snapshot.messages.every((m) => m.userId === 'alice' && m.ts));
    // Alice comes back and sends again what she may not have seen acknowledged.
    const back = await connect(second, 'room-k', 'alice');
    send(back, 'a-3', 'before the crash 3');
    assert.deepEqual(await back.next((f) => f.type === 'ack'), { type: 'ack', id: 'a-3' });
    send(back, 'a-4', 'after the crash');
    await carol.next((f) => f.type === 'message' && f.msg === 'after the crash');
    assert.equal(carol.frames.filter((f) => f.type === 'message').length, 1, 'the resend was not delivered again');
    carol.close(); back.close();
  } finally {
    await first.stop('SIGKILL');
    if (second) await second.stop();
    await redis.stop();
  }
});

test('with Redis down chat goes on from memory, visibly; when it is back messages are stored again', async () => {
  const redis = await startRedis();
  const session = await startSession({ args: ['--redis', redis.url, '--history-timeout', '300'] });
  try {
    const alice = await connect(session, 'room-d', 'alice');
    const bob = await connect(session, 'room-d', 'bob');
    send(alice, 'a-1', 'stored');
    await acked(alice, 'alice', 'a-1');
    assert.equal(await metric(session, 'chat_history_store_up'), 1);
    await redis.stop('SIGKILL');
    send(alice, 'a-2', 'while redis is down');
    await acked(alice, 'alice', 'a-2');
    await bob.next((f) => f.type === 'message' && f.msg === 'while redis is down');
    await until('store_up 0', async () => (await metric(session, 'chat_history_store_up')) === 0);
    const unstored = await metric(session, 'chat_history_appends_total{result="failed"}') +
      await metric(session, 'chat_history_appends_total{result="timed_out"}');
    assert.ok(unstored >= 1, `unstored appends counted: ${unstored}`);
    assert.match(session.child.output, /history store .* down/);
    await redis.start();
    await until('store_up 1', async () => (await metric(session, 'chat_history_store_up')) === 1);
    send(alice, 'a-3', 'stored again');
    await acked(alice, 'alice', 'a-3');
    // A second server loading the room sees what Redis holds: the messages
    // from before and after the outage (Redis restarted empty: no RDB).
    const reader = await startSession({ args: ['--redis', redis.url] });
    try {
      const carol = new Client(`ws://${reader.host}/?token=${sessionToken(reader.host, 'room-d', 'carol')}`, [V2]);
      await carol.opened;
      const snapshot = await carol.next((f) => f.type === 'snapshot');
      assert.deepEqual(snapshot.messages.map((m) => m.msg), ['stored again']);
      carol.close();
    } finally {
      await reader.stop();
    }
    alice.close(); bob.close();
  } finally {
    await session.stop();
    await redis.stop();
  }
});

test('POST /drain stores, then closes every client with 1012 Room moving, then refuses new ones', async () => {
  const redis = await startRedis();
  const session = await startSession({ args: ['--redis', redis.url] });
  try {
    const alice = await connect(session, 'room-m', 'alice');
    send(alice, 'a-1', 'moves with the room');
    await acked(alice, 'alice', 'a-1');
    const get = await fetch(`${session.adminUrl}/drain`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const drained = await fetch(`${session.adminUrl}/drain`, { method: 'POST' });
    assert.equal(drained.status, 200);
    const body = await drained.json();
    assert.deepEqual(body.rooms, ['room-m']);
    assert.equal(body.unstored, 0);
    assert.deepEqual(await alice.closed, { code: 1012, reason: 'Room moving' });
    const status = await (await fetch(`${session.adminUrl}/status`)).json();
    assert.equal(status.draining, true);
    const late = new Client(`ws://${session.host}/?token=${sessionToken(session.host, 'room-m', 'bob')}`, [V2]);
    await assert.rejects(late.opened, (e) => e.status === 503);
    // Where the room goes next, its history is whole.
    const next = await startSession({ args: ['--redis', redis.url] });
    try {
      const bob = new Client(`ws://${next.host}/?token=${sessionToken(next.host, 'room-m', 'bob')}`, [V2]);
      await bob.opened;
      const snapshot = await bob.next((f) => f.type === 'snapshot');
      assert.deepEqual(snapshot.messages.map((m) => m.msg), ['moves with the room']);
      bob.close();
    } finally {
      await next.stop();
    }
  } finally {
    await session.stop();
    await redis.stop();
  }
});
