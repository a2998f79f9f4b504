// The session server's WebSocket protocol against the real binary: the
// seed's compatibility mode, the event subprotocol, limits and bad input.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import {
  startSession, sessionToken, userToken, Client, expectUpgradeRefused, EVENTS, api, freePort, SESSION_BIN, SECRET,
} from './harness.mjs';

let session;
let roomCounter = 0;
const newRoom = () => `room${++roomCounter}x${Date.now()}`;
const connect = (room, user, opts) => Client.connect(session.host, sessionToken(session.host, room, user), opts);

// Every test here connects from 127.0.0.1, more often than a person would:
// exempt from admission control, which has its own tests.
before(async () => { session = await startSession({ args: ['--admission-exempt', '127.0.0.1'] }); });
after(async () => { await session.stop(); });

describe('compatibility mode (the seed\'s protocol)', () => {
  test('every join, message and leave sends the whole snapshot to every member', async () => {
    const room = newRoom();
    const alice = await connect(room, 'alice');
    assert.deepEqual(await alice.next(), { messages: [], connectedUsers: ['alice'] });
    const bob = await connect(room, 'bob');
    await alice.next((f) => f.connectedUsers.length === 2);
    alice.send('Hello!');
    const snap = await bob.next((f) => f.messages.length === 1);
    assert.deepEqual(Object.keys(snap), ['messages', 'connectedUsers']);
    assert.equal(snap.messages[0].userId, 'alice');
    assert.equal(snap.messages[0].msg, 'Hello!');
    assert.match(snap.messages[0].ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await bob.close();
    const afterLeave = await alice.next((f) => f.connectedUsers.length === 1, { from: 2 });
    assert.deepEqual(afterLeave.connectedUsers, ['alice']);
    await alice.close();
  });
  test('the snapshot keeps the 100 most recent messages and the room keeps accepting', async () => {
    const own = await startSession({ args: ['--messages-per-second', '0'] });
    try {
      const alice = await Client.connect(own.host, sessionToken(own.host, 'r', 'alice'));
      for (let i = 0; i < 250; i++) alice.send(`m${i}`);
      const last = await alice.next((f) => f.messages?.at(-1)?.msg === 'm249', { timeoutMs: 10000 });
      assert.equal(last.messages.length, 100);
      assert.equal(last.messages[0].msg, 'm150');
      await alice.close();
    } finally { await own.stop(); }
  });
  test('a refused frame costs its sender nothing, however long the history', async () => {
    const own = await startSession({ args: ['--messages-per-second', '0'] });
    try {
      const alice = await Client.connect(own.host, sessionToken(own.host, 'r', 'alice'));
      const filler = await Client.connect(own.host, sessionToken(own.host, 'r', 'filler'), { events: true });
      await filler.next();
      // Control characters travel as \u0001: a full history of these is ~600 KB.
      for (let i = 0; i < 100; i++) filler.send(`${i}${'\u0001'.repeat(990)}`);
      await alice.next((f) => f.messages.length === 100 && f.messages.at(-1).msg.startsWith('99'), { timeoutMs: 10000 });
      const from = alice.frames.length;
      let bytes = 0;
      alice.ws.on('message', (data) => (bytes += data.length));
      alice.send('');
      alice.send('x'.repeat(1001));
      alice.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      alice.send('marker');
      const marked = await alice.next((f) => f.messages.at(-1).msg === 'marker', { from, timeoutMs: 10000 });
      assert.equal(alice.frames.length - from, 1, 'the refusals were answered with nothing');
      assert.equal(bytes, JSON.stringify(marked).length, 'bytes received: the marker snapshot only');
      assert.ok(!('error' in marked));
      await alice.close();
      await filler.close();
    } finally { await own.stop(); }
  });
});

async function socketWrites(server) {
  const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
  return Number(text.match(/^chat_session_socket_writes_total (\S+)$/m)[1]);
}

describe('event subprotocol', () => {
  test('one snapshot on join, then small events; the subprotocol is echoed', async () => {
    const room = newRoom();
    const alice = await connect(room, 'alice', { events: true });
    assert.equal(alice.ws.protocol, EVENTS);
    const snap = await alice.next();
    assert.equal(snap.type, 'snapshot');
    assert.equal(snap.roomId, room);
    assert.deepEqual(snap.connectedUsers, ['alice']);
    assert.equal(snap.limits.maxUsers, 100);
    assert.equal(snap.limits.maxMessageLength, 1000);
    const bob = await connect(room, 'bob', { events: true });
    assert.deepEqual((await bob.next()).connectedUsers, ['alice', 'bob']);
    const join = await alice.next((f) => f.type === 'join');
    assert.equal(join.userId, 'bob');
    bob.send('hi alice');
    const msgA = await alice.next((f) => f.type === 'message');
    const msgB = await bob.next((f) => f.type === 'message');
    assert.deepEqual(msgA, msgB);
    assert.deepEqual(Object.keys(msgA), ['type', 'userId', 'msg', 'ts']);
    assert.equal(msgA.msg, 'hi alice');
    await bob.close();
    assert.equal((await alice.next((f) => f.type === 'leave')).userId, 'bob');
    await alice.close();
  });
  test('message events do not grow with the history', async () => {
    const room = newRoom();
    const users = [];
    for (let i = 0; i < 5; i++) {
      users.push(await connect(room, `u${i}`, { events: true }));
      await users[i].next(); // joined before anyone speaks
    }
    for (let i = 0; i < 60; i++) users[i % 5].send(`same size ${i % 10}`);
    await users[0].next((f) => f.type === 'message' && f.msg === 'same size 9', { from: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const sizes = users[0].frames.filter((f) => f.type === 'message').map((f) => JSON.stringify(f).length);
    assert.equal(sizes.length, 60);
    assert.equal(new Set(sizes).size, 1, `every event the same size: ${[...new Set(sizes)]}`);
    assert.ok(sizes[0] < 120);
    for (const u of users) await u.close();
  });
  test('events waiting for a busy client arrive in order, many to a socket write', async () => {
    const own = await startSession({ args: ['--messages-per-second', '0', '--send-queue-bytes-max', '67108864'] });
    try {
      const reader = await Client.connect(own.host, sessionToken(own.host, 'r', 'reader'), { events: true });
      await reader.next();
      // The reader stops reading until the kernel's buffers are full and the
      // server's queue for it grows; then it reads everything at once.
      reader.ws._socket.pause();
      const writer = await Client.connect(own.host, sessionToken(own.host, 'r', 'writer'), { events: true });
      await writer.next();
      const body = 'z'.repeat(990);
      const total = 8000;
      for (let i = 0; i < total; i++) {
        writer.send(`${i} ${body}`);
        if (i % 500 === 499) await writer.next((f) => f.msg === `${i} ${body}`, { from: 0, timeoutMs: 10000 });
      }
      writer.frames.length = 0;
      const writesBefore = await socketWrites(own);
      reader.ws._socket.resume();
      await reader.next((f) => f.msg === `${total - 1} ${body}`, { timeoutMs: 20000 });
      const got = reader.frames.filter((f) => f.type === 'message').map((f) => Number(f.msg.split(' ')[0]));
      assert.deepEqual(got, Array.from({ length: total }, (_, i) => i), 'every event, in order');
      // What queued while the reader was paused went out many frames a write.
      const writes = (await socketWrites(own)) - writesBefore;
      assert.ok(writes < total / 4, `${total} events in ${writes} socket writes`);
      await reader.close();
      await writer.close();
    } finally { await own.stop(); }
  });
  test('refusals are explained: too long, empty, binary, too fast', async () => {
    const alice = await connect(newRoom(), 'alice', { events: true });
    await alice.next();
    alice.send('x'.repeat(1001));
    assert.equal((await alice.next((f) => f.type === 'error')).code, 'message_too_long');
    alice.send('');
    assert.equal((await alice.next((f) => f.code === 'empty_message')).type, 'error');
    alice.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await alice.next((f) => f.code === 'binary_not_supported')).type, 'error');
    for (let i = 0; i < 40; i++) alice.send(`fast ${i}`);
    const limited = await alice.next((f) => f.code === 'rate_limited');
    assert.match(limited.message, /at most 10 a second/);
    const accepted = alice.frames.filter((f) => f.type === 'message').length;
    // The three refusals above took three tokens of the burst of 20.
    assert.ok(accepted >= 17 && accepted < 40, `burst accepted, rest refused (accepted ${accepted})`);
    await alice.close();
  });
  test('1000 characters (not bytes) are accepted', async () => {
    const alice = await connect(newRoom(), 'alice', { events: true });
    await alice.next();
    alice.send('€'.repeat(1000));
    assert.equal((await alice.next((f) => f.type === 'message')).msg.length, 1000);
    await alice.close();
  });
});

describe('refusals cost the sender, not the room', () => {
  const errors = (client) => client.frames.filter((f) => f.type === 'error');
  const refusalClosings = async () => {
    const metrics = (await api(session.adminUrl, 'GET', '/metrics')).text;
    return Number(metrics.match(/chat_session_rejections_total\{reason="too_many_refusals"\} (\d+)/)[1]);
  };
  test('the rate limit comes first: refused frames use it up too', async () => {
    const alice = await connect(newRoom(), 'alice', { events: true });
    await alice.next();
    for (let i = 0; i < 40; i++) alice.send('');
    await alice.next(() => errors(alice).length === 40);
    const codes = errors(alice).map((f) => f.code);
    assert.equal(codes[0], 'empty_message');
    assert.ok(codes.includes('rate_limited'), `empty frames past the burst are too fast: ${codes}`);
    alice.send('hi');
    const answer = await alice.next((f) => f.type === 'message' || f.code === 'rate_limited', { from: alice.frames.length });
    assert.equal(answer.code, 'rate_limited', 'the empty frames took the tokens a message needs');
    await alice.close();
  });
  for (const events of [false, true]) {
    test(`a flood of refused frames ends in 1008; the room carries on (${events ? 'events' : 'compatibility'})`, async () => {
      const room = newRoom();
      const bob = await connect(room, 'bob', { events: true });
      await bob.next();
      const flooder = await connect(room, 'flooder', { events });
      await flooder.next();
      await bob.next((f) => f.type === 'join');
      const closingsBefore = await refusalClosings();
      for (let i = 0; i < 200; i++) {
        if (i % 2) flooder.ws.send(Buffer.from([0]), { binary: true });
        else flooder.send('');
        if (i === 100) bob.send('during the flood');
      }
      assert.deepEqual(await flooder.closed, { code: 1008, reason: 'Too many refused messages' });
      assert.equal(await refusalClosings(), closingsBefore + 1, 'counted once');
      const answers = flooder.frames.slice(1);
      if (events) assert.ok(answers.every((f) => f.type === 'error' || f.type === 'message'));
      else assert.ok(answers.every((f) => !('error' in f)), 'no error snapshots');
      assert.ok(errors(flooder).length <= 60, `at most the allowance answered: ${errors(flooder).length}`);
      assert.equal((await bob.next((f) => f.type === 'leave')).userId, 'flooder');
      bob.send('after the flood');
      await bob.next((f) => f.msg === 'after the flood');
      const said = bob.frames.filter((f) => f.type === 'message').map((f) => f.msg);
      assert.deepEqual(said, ['during the flood', 'after the flood']);
      assert.equal(errors(bob).length, 0);
      await bob.close();
    });
  }
  test('the allowance is a flag: 0 never closes', async () => {
    const own = await startSession({ args: ['--refused-messages-per-minute', '0', '--messages-per-second', '0'] });
    try {
      const alice = await Client.connect(own.host, sessionToken(own.host, 'r', 'alice'), { events: true });
      await alice.next();
      for (let i = 0; i < 200; i++) alice.send('');
      alice.send('still welcome');
      await alice.next((f) => f.msg === 'still welcome');
      assert.equal(errors(alice).length, 200);
      await alice.close();
    } finally { await own.stop(); }
  });
});

describe('limits', () => {
  test('the 101st user is refused with 1008 Room is full', async () => {
    const room = newRoom();
    const members = await Promise.all(Array.from({ length: 100 }, (_, i) => connect(room, `user${i}`, { events: true })));
    await Promise.all(members.map((m) => m.next())); // all joined, not only connected
    const late = await connect(room, 'late', { events: true });
    assert.deepEqual(await late.closed, { code: 1008, reason: 'Room is full' });
    await Promise.all(members.map((m) => m.close()));
  });
  test('a duplicate user is refused with 1008 Duplicate user', async () => {
    const room = newRoom();
    const first = await connect(room, 'dup');
    await first.next(); // joined: 'open' is only the handshake, the join comes after
    const second = await connect(room, 'dup');
    assert.deepEqual(await second.closed, { code: 1008, reason: 'Duplicate user' });
    await first.close();
  });
  test('a token for an 11th room is refused with 1013 Server is full', async () => {
    const own = await startSession();
    try {
      const members = [];
      for (let i = 0; i < 10; i++) members.push(await Client.connect(own.host, sessionToken(own.host, `r${i}`, 'u')));
      await Promise.all(members.map((m) => m.next())); // every room exists before the 11th
      const eleventh = await Client.connect(own.host, sessionToken(own.host, 'r10', 'u'));
      assert.deepEqual(await eleventh.closed, { code: 1013, reason: 'Server is full' });
      // The 11th session is gone once its close is done on the server's side,
      // which may come a moment after the client saw the close frame.
      let status;
      for (let waited = 0; waited < 10000; waited += 20) {
        status = (await api(own.adminUrl, 'GET', '/status')).json;
        if (status.connections === 10) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(status.rooms.length, 10);
      assert.equal(status.connections, 10);
      assert.equal(status.rooms[0].users, 1);
      for (const m of members) await m.close();
    } finally { await own.stop(); }
  });
});

describe('bad input at the door', () => {
  const now = () => Math.floor(Date.now() / 1000);
  for (const [name, token, reason] of [
    ['missing', ''],
    ['garbage', 'abc'],
    ['wrong secret', () => sessionToken(session.host, 'r', 'u', {}, { secret: 'nope' }), /signature/],
    ['alg none', () => sessionToken(session.host, 'r', 'u', {}, { header: { alg: 'none' } }).replace(/[^.]+$/, ''), /algorithm/],
    ['expired', () => sessionToken(session.host, 'r', 'u', { exp: now() - 5 }), /expired/],
    ['another host', () => sessionToken('127.0.0.1:1', 'r', 'u'), /host/],
    ['a user token', () => userToken('u'), /a user token is not a session token/],
  ]) {
    test(`401 before the upgrade for a ${name} token`, async () => {
      const refused = await expectUpgradeRefused(session.host, typeof token === 'function' ? token() : token);
      assert.equal(refused.status, 401);
      assert.equal(typeof refused.body.error, 'string');
      if (reason) assert.match(refused.body.error, reason);
    });
  }
  test('without --advertised-host the server refuses to start, saying what to set', async () => {
    const child = spawn(SESSION_BIN, ['--port', '0'], { env: { ...process.env, JWT_SECRET: SECRET } });
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(output, /--advertised-host is not set/);
  });
  test('a token for another server is refused whatever the Host header says', async () => {
    // A token for B presented to A with a Host header forged to name B.
    const other = `127.0.0.1:${await freePort()}`;
    const forged = await new Promise((resolve) => {
      const ws = new WebSocket(`ws://${session.host}/?token=${sessionToken(other, 'r', 'mallory')}`, {
        headers: { Host: other },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('open', () => { ws.close(); resolve('opened'); });
      ws.on('error', () => resolve('error'));
    });
    assert.equal(forged, 401);
  });
  test('past --connections-max a WebSocket is refused with 503 and a reason, and counted', async () => {
    const own = await startSession({ args: ['--connections-max', '1'] });
    try {
      const first = await Client.connect(own.host, sessionToken(own.host, 'r', 'a'));
      await first.next();
      const refused = await expectUpgradeRefused(own.host, sessionToken(own.host, 'r', 'b'));
      assert.equal(refused.status, 503);
      assert.match(refused.body.error, /connection limit/);
      const metrics = (await api(own.adminUrl, 'GET', '/metrics')).text;
      assert.match(metrics, /chat_session_rejections_total\{reason="connections_max"\} 1/);
      await first.close();
    } finally { await own.stop(); }
  });
  test('no room is listed on the public port; operators have their own', async () => {
    assert.equal((await api(session.url, 'GET', '/status')).status, 404);
    assert.equal((await api(session.url, 'GET', '/metrics')).status, 404);
    assert.equal((await api(session.adminUrl, 'GET', '/status')).status, 200);
    assert.match((await api(session.adminUrl, 'GET', '/metrics')).text, /chat_session_connections/);
  });
  test('with ADMIN_TOKEN, operator endpoints want it, on both ports', async () => {
    const token = 'operators-only-0123456789abcdef0123';
    const own = await startSession({ env: { ADMIN_TOKEN: token } });
    try {
      const bearing = { Authorization: `Bearer ${token}` };
      assert.equal((await api(own.adminUrl, 'GET', '/status')).status, 401);
      assert.equal((await api(own.adminUrl, 'GET', '/status', { headers: bearing })).status, 200);
      assert.equal((await api(own.url, 'GET', '/status')).status, 404);
      assert.equal((await api(own.url, 'GET', '/status', { headers: { Authorization: 'Bearer wrong' } })).status, 404);
      assert.equal((await api(own.url, 'GET', '/status', { headers: bearing })).status, 200);
    } finally { await own.stop(); }
  });
  test('a frame over the read limit closes with 1009', async () => {
    const alice = await connect(newRoom(), 'alice', { events: true });
    await alice.next();
    alice.send('x'.repeat(20000));
    assert.equal((await alice.closed).code, 1009);
  });
  test('invalid UTF-8 closes with 1007', async () => {
    const alice = await connect(newRoom(), 'alice', { events: true });
    await alice.next();
    // ws validates outgoing text, so write a raw masked text frame with bytes 0xC3 0x28.
    const socket = alice.ws._socket;
    socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]));
    assert.equal((await alice.closed).code, 1007);
  });
  test('a connection that never finishes its request is let go; others are served meanwhile', async () => {
    const own = await startSession({ args: ['--http-timeout', '1'] });
    try {
      const idle = net.connect(own.port, '127.0.0.1');
      idle.write('GET / HTTP/1.1\r\n');
      const closed = new Promise((resolve) => idle.on('close', resolve));
      const alice = await Client.connect(own.host, sessionToken(own.host, 'r', 'alice'));
      await alice.next();
      const started = Date.now();
      await closed;
      assert.ok(Date.now() - started < 5000, 'closed by the server after its HTTP timeout');
      await alice.close();
    } finally { await own.stop(); }
  });
  test('a WebSocket peer that stops answering pings is dropped and leaves the room', async () => {
    const own = await startSession({ args: ['--idle-timeout', '2'] });
    try {
      const alice = await Client.connect(own.host, sessionToken(own.host, 'r', 'alice'), { events: true });
      await alice.next();
      // A raw client: completes the handshake, reads, but never answers a ping.
      const silent = net.connect(own.port, '127.0.0.1', () => {
        silent.write(`GET /?token=${sessionToken(own.host, 'r', 'silent')} HTTP/1.1\r\nHost: ${own.host}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      });
      silent.on('data', () => {});
      assert.equal((await alice.next((f) => f.type === 'join')).userId, 'silent');
      const leave = await alice.next((f) => f.type === 'leave', { timeoutMs: 8000 });
      assert.equal(leave.userId, 'silent');
      silent.destroy();
      await alice.close();
    } finally { await own.stop(); }
  });
});

describe('slow readers and shutdown', () => {
  test('a client that stops reading is dropped and counted; the room carries on', async () => {
    const own = await startSession({ args: ['--send-queue-bytes-max', '262144', '--messages-per-second', '0'] });
    try {
      const room = 'slowroom';
      // A raw client that completes the handshake and then never reads again.
      const slow = net.connect(own.port, '127.0.0.1', () => {
        slow.write(`GET /?token=${sessionToken(own.host, room, 'slow')} HTTP/1.1\r\nHost: ${own.host}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
          `Sec-WebSocket-Protocol: ${EVENTS}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      });
      await new Promise((r) => slow.once('data', r));
      slow.pause();
      const fast = await Client.connect(own.host, sessionToken(own.host, room, 'fast'), { events: true });
      await fast.next();
      const text = 'y'.repeat(1000);
      let dropped = false;
      // Kernel buffers absorb several MB first; bounded by time, not count.
      // The sender waits for its own echo after each batch, so that only the
      // client that stopped reading falls behind.
      const deadline = Date.now() + 30000;
      for (let batch = 0; !dropped && Date.now() < deadline; batch++) {
        const from = fast.frames.length;
        for (let i = 0; i < 200; i++) fast.send(i === 199 ? `end of batch ${batch}` : text);
        await fast.next((f) => f.msg === `end of batch ${batch}`, { from, timeoutMs: 10000 });
        const metrics = (await api(own.adminUrl, 'GET', '/metrics')).text;
        dropped = /chat_session_rejections_total\{reason="slow_consumer"\} 1/.test(metrics);
      }
      assert.ok(dropped, 'slow consumer counted');
      fast.send('still here');
      await fast.next((f) => f.msg === 'still here', { timeoutMs: 10000 });
      const leave = await fast.next((f) => f.type === 'leave', { timeoutMs: 10000 });
      assert.equal(leave.userId, 'slow');
      await fast.close();
    } finally { await own.stop(); }
  });
  test('SIGTERM while clients are leaving still exits (no deadlock on the last reference)', async () => {
    for (let round = 0; round < 5; round++) {
      const own = await startSession({ args: ['--shutdown-grace', '2'] });
      const clients = [];
      for (let i = 0; i < 40; i++) clients.push(Client.connect(own.host, sessionToken(own.host, `r${i % 5}`, `u${i}`), { events: true }));
      const connected = await Promise.all(clients);
      await Promise.all(connected.map((c) => c.next()));
      // Half leave at the moment the signal arrives.
      for (const c of connected.slice(0, 20)) c.ws.terminate();
      own.child.kill('SIGTERM');
      const exited = await Promise.race([own.exited, new Promise((r) => setTimeout(() => r('hung'), 6000))]);
      if (exited === 'hung') own.child.kill('SIGKILL');
      assert.notEqual(exited, 'hung', `round ${round}: the server did not exit after SIGTERM`);
      assert.equal(exited.code, 0);
    }
  });
  test('SIGTERM closes every client with 1001 and exits within the grace period', async () => {
    const own = await startSession({ args: ['--shutdown-grace', '3'] });
    const a = await Client.connect(own.host, sessionToken(own.host, 'r', 'a'), { events: true });
    const b = await Client.connect(own.host, sessionToken(own.host, 'r', 'b'));
    await a.next(); await b.next();
    const started = Date.now();
    own.child.kill('SIGTERM');
    assert.deepEqual(await a.closed, { code: 1001, reason: 'Server shutting down' });
    assert.deepEqual(await b.closed, { code: 1001, reason: 'Server shutting down' });
    const { code } = await own.exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 3000 + 2000);
  });
});
