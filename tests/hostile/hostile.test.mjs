// Hostile clients against the real binaries, on loopback, bounded in count and
// time. In each test an attacker (from 127.0.0.1) does its worst while a
// well-behaved pair (from 127.0.0.9) logs in, creates a room, joins it and
// chats: the pair's message must arrive (its latency is printed), the servers
// must stay up, and the attack must show in the servers' metrics. Every limit
// that matters is set in the test's setup, so nothing depends on how fast the
// machine is: the waits below are upper bounds, never expectations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import WebSocket from 'ws';
import {
  startBackend, startSession, api, sessionToken, freePort, requestFrom, BACKEND_BIN, SECRET,
} from '../integration/harness.mjs';

const ATTACKER = '127.0.0.1';
const GOOD = '127.0.0.9';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stops = [];
after(async () => { for (const stop of stops.reverse()) await stop(); });

// One HTTP request, from the well-behaved pair's address unless told otherwise.
const request = (url, options = {}) => requestFrom(url, { from: GOOD, ...options });

// A WebSocket client from `from` that records event frames.
function connect(host, token, { from = GOOD } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host}/?token=${token}`, ['scalable-chat.events.v1'], { localAddress: from });
    ws.frames = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      ws.frames.push(...(Array.isArray(frame) ? frame : [frame]));
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function until(what, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let pairs = 0;
// The well-behaved pair: log in, create, look up, join, chat. Returns the
// message's delivery latency in ms; throws if any step fails.
async function chatWorks(backend, what) {
  const n = ++pairs;
  const login = async (userId) => {
    const res = await request(`${backend.url}/api/login`, { method: 'POST', body: { userId } });
    assert.equal(res.status, 200, `login: ${res.text}`);
    return res.json.token;
  };
  const alice = await login(`alice${n}`);
  const bob = await login(`bob${n}`);
  const created = await request(`${backend.url}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${alice}` } });
  assert.equal(created.status, 200, `create: ${created.text}`);
  const lookup = async (token) => {
    const res = await request(`${backend.url}/api/rooms/${created.json.roomId}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, `lookup: ${res.text}`);
    return res.json;
  };
  const a = await lookup(alice);
  const b = await lookup(bob);
  const wa = await connect(a.host, a.token);
  const wb = await connect(b.host, b.token);
  await until('both snapshots', () => wa.frames.length && wb.frames.length, 10000);
  const text = `hello from pair ${n}`;
  const arrived = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the pair\'s message did not arrive in 10 s')), 10000);
    wb.on('message', () => {
      if (wb.frames.some((f) => f.type === 'message' && f.msg === text)) { clearTimeout(timer); resolve(); }
    });
  });
  const sent = performance.now();
  wa.send(text);
  await arrived;
  const latency = Math.round((performance.now() - sent) * 10) / 10;
  wa.close();
  wb.close();
  console.log(`# well-behaved pair during ${what}: delivered in ${latency} ms`);
  return latency;
}

// A session server and a backend in front of it, both with a short request
// timeout; their operators' listeners for the metrics.
async function stack({ sessionArgs = [], backendArgs = [] } = {}) {
  const session = await startSession({ args: ['--http-timeout', '2', ...sessionArgs] });
  const sessionAdmin = session.adminUrl.replace('http://', '');
  const backend = await startBackend({
    sessionHosts: session.host,
    args: ['--http-timeout', '2', '--session-admin-hosts', sessionAdmin, ...backendArgs],
  });
  stops.push(() => session.stop(), () => backend.stop());
  return { session, backend };
}

const metric = async (adminUrl, pattern) => {
  const text = (await api(adminUrl, 'GET', '/metrics')).text;
  const match = text.match(pattern);
  return match ? Number(match[1]) : 0;
};
const healthy = async (server) => (await api(server.url, 'GET', '/healthz')).status === 200;

// Opens `count` TCP connections from the attacker, each sending `bytes`.
async function openConnections(port, count, bytes = '') {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    sockets.push(await new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: ATTACKER }, () => resolve(socket));
      socket.on('error', () => {});
      if (bytes) socket.write(bytes);
    }));
  }
  return sockets;
}

test('slowloris on both public ports: dropped at the request timeout and counted', async () => {
  const { session, backend } = await stack();
  const sockets = [
    ...await openConnections(session.port, 100, 'GET /?token=x HTTP/1.1\r\nHost: a\r\n'),
    ...await openConnections(backend.port, 100, 'POST /api/login HTTP/1.1\r\nHost: a\r\n'),
  ];
  // A byte every half second: never a whole request.
  const drip = setInterval(() => { for (const s of sockets) s.write('X'); }, 500);
  try {
    await chatWorks(backend, 'a slowloris');
    const dropped = /chat_http_dropped_connections_total\{listener="public",reason="timeout"\} (\d+)/;
    await until('every slow connection dropped and counted', async () =>
      (await metric(session.adminUrl, dropped)) >= 100 && (await metric(backend.adminUrl, dropped)) >= 100);
    assert.ok(await healthy(session) && await healthy(backend));
  } finally {
    clearInterval(drip);
    for (const s of sockets) s.destroy();
  }
});

test('a thousand idle connections from one address: the pair still chats; all are let go', async () => {
  const { session, backend } = await stack();
  const sockets = await openConnections(session.port, 1000);
  try {
    await chatWorks(backend, 'a thousand idle connections');
    await until('the idle connections let go', async () => (await metric(session.adminUrl,
      /chat_http_dropped_connections_total\{listener="public",reason="timeout"\} (\d+)/)) >= 1000);
    assert.ok(await healthy(session));
  } finally { for (const s of sockets) s.destroy(); }
});

test('oversized headers and bodies: 431 and 413, counted, nothing else disturbed', async () => {
  const { backend } = await stack();
  for (let i = 0; i < 20; i++) {
    const headers = await request(`${backend.url}/api/login`, {
      method: 'POST', from: ATTACKER, body: { userId: 'x' }, headers: { 'x-junk': 'a'.repeat(20000) },
    }).catch((e) => ({ status: e.message }));
    assert.equal(headers.status, 431);
    const body = await request(`${backend.url}/api/login`, {
      method: 'POST', from: ATTACKER, body: { userId: 'x'.repeat(100000) },
    }).catch((e) => ({ status: e.message }));
    assert.equal(body.status, 413);
  }
  await chatWorks(backend, 'oversized requests');
  assert.equal(await metric(backend.adminUrl, /chat_http_dropped_connections_total\{listener="public",reason="headers_too_large"\} (\d+)/), 20);
  assert.equal(await metric(backend.adminUrl, /chat_http_dropped_connections_total\{listener="public",reason="body_too_large"\} (\d+)/), 20);
});

test('garbage and fragmented bytes at both ports: 400 or a closed socket, counted', async () => {
  const { session, backend } = await stack();
  const garbage = [
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',  // a TLS hello on a plain port
    'GET / HTTP/9.9\r\n\r\n',
    'GET /\x00\x01 HTTP/1.1\r\nHost: a\r\n\r\n',
    'POST /api/login HTTP/1.1\r\nContent-Length: -5\r\n\r\n',
    'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: a\r\n\r\nzz\r\n',
  ];
  for (const port of [session.port, backend.port]) {
    for (const bytes of garbage) {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: ATTACKER });
      socket.on('error', () => {});
      // Sent in small fragments, as a fuzzer on the wire would.
      for (let i = 0; i < bytes.length; i += 3) socket.write(bytes.slice(i, i + 3));
      await new Promise((resolve) => { socket.on('close', resolve); socket.setTimeout(10000, () => socket.destroy()); });
    }
  }
  await chatWorks(backend, 'garbage');
  const malformed = /chat_http_dropped_connections_total\{listener="public",reason="malformed"\} (\d+)/;
  assert.ok(await metric(session.adminUrl, malformed) >= 3, 'malformed requests counted (session)');
  assert.ok(await metric(backend.adminUrl, malformed) >= 3, 'malformed requests counted (backend)');
  assert.ok(await healthy(session) && await healthy(backend));
});

test('a flood of refused frames: the flooder is closed with 1008, its room goes on', async () => {
  const { session, backend } = await stack({ sessionArgs: ['--refused-messages-per-minute', '20'] });
  const token = sessionToken(session.host, 'flooded-room', 'flooder');
  const flooder = await connect(session.host, token, { from: ATTACKER });
  const closed = new Promise((resolve) => flooder.once('close', (code, reason) => resolve({ code, reason: `${reason}` })));
  for (let i = 0; i < 500 && flooder.readyState === WebSocket.OPEN; i++) flooder.send('');
  const { code } = await closed;
  assert.equal(code, 1008);
  await chatWorks(backend, 'a refused-frame flood');
  assert.ok(await metric(session.adminUrl, /chat_session_rejections_total\{reason="too_many_refusals"\} (\d+)/) >= 1);
});

test('one user creating rooms in a loop is held to a few unjoined rooms; others still create', async () => {
  const { backend } = await stack({ backendArgs: ['--unjoined-rooms-per-user-max', '3'] });
  const login = await request(`${backend.url}/api/login`, { method: 'POST', from: ATTACKER, body: { userId: 'hoarder' } });
  const auth = { authorization: `Bearer ${login.json.token}` };
  const statuses = [];
  for (let i = 0; i < 30; i++) {
    statuses.push((await request(`${backend.url}/api/rooms`, { method: 'POST', from: ATTACKER, headers: auth })).status);
  }
  assert.equal(statuses.filter((s) => s === 200).length, 3, `statuses: ${statuses}`);
  assert.ok(statuses.slice(3).every((s) => s === 429));
  await chatWorks(backend, 'a room hoarder');
  assert.ok(await metric(backend.adminUrl, /chat_backend_admission_refusals_total\{limit="[^"]*unjoined[^"]*"\} (\d+)/) >= 27);
});

test('the backend with 256 descriptors under connection pressure: it waits, it does not fall', async () => {
  const session = await startSession({ args: ['--http-timeout', '2'] });
  const port = await freePort();
  const adminPort = await freePort();
  const child = spawn('bash', ['-c', `ulimit -n 256 && exec "$0" "$@"`, BACKEND_BIN,
    '--port', String(port), '--admin-port', String(adminPort), '--http-timeout', '2', '--threads', '2',
    '--session-admin-hosts', session.adminUrl.replace('http://', '')], {
    env: { ...process.env, JWT_SECRET: SECRET, SESSION_SERVER_HOST: session.host }, stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  stops.push(async () => { child.kill('SIGTERM'); await exited; }, () => session.stop());
  const backend = { url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}` };
  await until('the backend', async () => (await api(backend.url, 'GET', '/healthz').catch(() => ({}))).status === 200);
  const sockets = await openConnections(port, 400);
  try {
    await chatWorks(backend, '400 connections against 256 descriptors');
    assert.equal(child.exitCode, null, 'the backend is still running');
    assert.ok(await metric(backend.adminUrl, /chat_http_dropped_connections_total\{listener="public",reason="at_capacity"\} (\d+)/) >= 1);
  } finally { for (const s of sockets) s.destroy(); }
});

test('a token for server A, presented to server B with a forged Host, is refused and counted', async () => {
  const { session, backend } = await stack();
  const other = await startSession();
  stops.push(() => other.stop());
  const forged = await new Promise((resolve) => {
    const ws = new WebSocket(`ws://${session.host}/?token=${sessionToken(other.host, 'r', 'mallory')}`,
      { headers: { Host: other.host }, localAddress: ATTACKER });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.on('open', () => { ws.close(); resolve('opened'); });
    ws.on('error', () => resolve('error'));
  });
  assert.equal(forged, 401);
  await chatWorks(backend, 'a forged Host');
  assert.ok(await metric(session.adminUrl, /chat_session_rejections_total\{reason="bad_token"\} (\d+)/) >= 1);
});
