// Admission control against the real binaries: floods from one client
// address (or one user) are refused with 429 and Retry-After while everyone
// else carries on. Clients bind different loopback source addresses
// (127.0.0.2, 127.0.0.3, ...) to be different clients. Every limit is set
// small in each test's setup, so nothing depends on the machine's speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  startBackend, startSession, api, userToken, sessionToken, Client, requestFrom,
} from './harness.mjs';

const request = requestFrom;

const login = (backend, userId, options = {}) =>
  request(`${backend.url}/api/login`, { method: 'POST', body: { userId }, ...options });

function assertRateLimited(res) {
  assert.equal(res.status, 429, res.text);
  assert.match(res.headers['retry-after'], /^[1-9]\d*$/);
  assert.equal(typeof res.json?.error, 'string', res.text);
  assert.match(res.json.error, /try again in \d+ s|wait \d+ s/);
}

async function metric(server, pattern) {
  const text = (await api(server.adminUrl, 'GET', '/metrics')).text;
  const found = text.match(pattern);
  assert.ok(found, `no ${pattern} in /metrics`);
  return Number(found[1]);
}

test('a login flood from one address gets 429 with Retry-After; another address still logs in', async () => {
  const backend = await startBackend({ args: ['--logins-per-ip-per-minute', '3'] });
  try {
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await login(backend, `flood${i}`, { from: '127.0.0.2' }));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    assertRateLimited(answers[3]);
    assert.match(answers[3].json.error, /logins from this address/);
    const other = await login(backend, 'bystander', { from: '127.0.0.3' });
    assert.equal(other.status, 200, other.text);
    assert.equal(await metric(backend, /chat_backend_admission_refusals_total\{limit="logins_per_ip"\} (\d+)/), 7);
  } finally {
    await backend.stop();
  }
});

test('logins as one user are limited wherever they come from', async () => {
  const backend = await startBackend({ args: ['--logins-per-user-per-minute', '2'] });
  try {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(backend, 'mallory', { from: `127.0.0.${10 + i}` })).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    assert.equal((await login(backend, 'alice', { from: '127.0.0.10' })).status, 200);
  } finally {
    await backend.stop();
  }
});

test('one user creating rooms in a loop is refused after the cap; another user still creates', async () => {
  const session = await startSession();
  // The backend learns a room was joined from the server's /status, at its
  // admin listener. Only the cap under test is on.
  const backend = await startBackend({ sessionHosts: session.host,
    env: { SESSION_ADMIN_HOSTS: new URL(session.adminUrl).host },
    args: ['--unjoined-rooms-per-user-max', '3', '--poll-interval-ms', '100',
      '--room-creations-per-ip-per-minute', '0', '--room-creations-per-user-per-minute', '0'] });
  try {
    const create = (user) => request(`${backend.url}/api/rooms`,
      { method: 'POST', headers: { authorization: `Bearer ${userToken(user)}` } });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await create('hoarder'));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429, 429, 429]);
    assertRateLimited(answers[3]);
    assert.match(answers[3].json.error, /3 rooms nobody has joined yet/);
    const other = await create('bystander');
    assert.equal(other.status, 200, other.text);
    assert.equal(await metric(backend,
      /chat_backend_admission_refusals_total\{limit="unjoined_rooms_per_user"\} (\d+)/), 3);
    // Joining one of them frees a place under the cap once the backend's poll
    // sees the room in use (polled every 100 ms here; waited for, not timed).
    const member = await Client.connect(session.host, sessionToken(session.host, answers[0].json.roomId, 'hoarder'));
    let again;
    for (let waited = 0; waited < 20000; waited += 50) {
      again = await create('hoarder');
      if (again.status !== 429) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(again.status, 200, again.text);
    assert.equal((await create('hoarder')).status, 429);
    await member.close();
  } finally {
    await backend.stop();
    await session.stop();
  }
});

test('room look-ups from one address are limited before the token is checked', async () => {
  const backend = await startBackend({ args: ['--room-lookups-per-ip-per-minute', '2'] });
  try {
    const lookup = (from) => request(`${backend.url}/api/rooms/abc`, { from });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await lookup('127.0.0.2')).status);
    // No token: 401 while admitted, then 429 without looking at it.
    assert.deepEqual(statuses, [401, 401, 429, 429]);
    assert.equal((await lookup('127.0.0.3')).status, 401);
  } finally {
    await backend.stop();
  }
});

// A WebSocket upgrade from `from`: 'open', or the refusal's status and headers.
function connect(host, token, from) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host}/?token=${token}`, { localAddress: from });
    ws.once('open', () => { ws.close(); resolve({ open: true }); });
    ws.once('unexpected-response', (req, res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(text), text }));
    });
    ws.once('error', reject);
  });
}

test('a connection flood to a session server is refused with 429 before the upgrade', async () => {
  const session = await startSession({ args: ['--connections-per-ip-per-minute', '3'] });
  try {
    const answers = [];
    for (let i = 0; i < 10; i++) {
      answers.push(await connect(session.host, sessionToken(session.host, 'room1', `user${i}`), '127.0.0.2'));
    }
    assert.equal(answers.filter((a) => a.open).length, 3);
    const refused = answers.slice(3);
    for (const answer of refused) assertRateLimited(answer);
    assert.match(refused[0].json.error, /connections from this address/);
    const other = await connect(session.host, sessionToken(session.host, 'room1', 'bystander'), '127.0.0.3');
    assert.ok(other.open, other.text);
    assert.equal(await metric(session, /chat_session_rejections_total\{reason="rate_limited_connect"\} (\d+)/), 7);
  } finally {
    await session.stop();
  }
});

test('--admission-exempt lifts the limits for a load generator\'s addresses', async () => {
  const backend = await startBackend({
    args: ['--logins-per-ip-per-minute', '1', '--admission-exempt', '127.0.0.4/32'] });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await login(backend, `bot${i}`, { from: '127.0.0.4' })).status, 200);
    assert.equal((await login(backend, 'p1', { from: '127.0.0.5' })).status, 200);
    assert.equal((await login(backend, 'p2', { from: '127.0.0.5' })).status, 429);
  } finally {
    await backend.stop();
  }
});

test('X-Forwarded-For is ignored from an untrusted peer and honoured from a trusted proxy', async () => {
  const backend = await startBackend({
    args: ['--logins-per-ip-per-minute', '2', '--trusted-proxies', '127.0.0.1/32'] });
  try {
    // Untrusted: a fresh forged address each time does not escape the limit.
    const untrusted = [];
    for (let i = 0; i < 4; i++) {
      untrusted.push((await login(backend, `u${i}`,
        { from: '127.0.0.2', headers: { 'x-forwarded-for': `198.51.100.${i}` } })).status);
    }
    assert.deepEqual(untrusted, [200, 200, 429, 429]);
    // Trusted: each client behind the proxy has its own bucket.
    const viaProxy = (client, user) => login(backend, user,
      { from: '127.0.0.1', headers: { 'x-forwarded-for': `203.0.113.66, ${client}` } });
    assert.equal((await viaProxy('198.51.100.7', 'a1')).status, 200);
    assert.equal((await viaProxy('198.51.100.7', 'a2')).status, 200);
    assertRateLimited(await viaProxy('198.51.100.7', 'a3'));
    assert.equal((await viaProxy('198.51.100.8', 'b1')).status, 200);
  } finally {
    await backend.stop();
  }
});
