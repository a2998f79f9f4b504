// The multi-host deployment rehearsed on loopback, end to end: deploy/rehearse.sh
// starts Redis, 3 session servers, 3 replicated backends and HAProxy
// (deploy/haproxy.cfg, TLS with a CA it makes), each piece on its own
// 127.x.y.z address; the load generator chats through TLS; one backend is
// SIGKILLed under load (HAProxy's health check takes it out, chat and
// look-ups go on); one session server is stopped and started again on its
// address (the backends take it back, new rooms go to it).
//
// Needs: bazel build //server:all //loadgen (binaries from bazel-bin, or
// BIN for the servers' folder and LOADGEN_BIN), haproxy, redis-server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { repoRoot, until, processAlive } from '../integration/harness.mjs';

const LOADGEN_BIN = process.env.LOADGEN_BIN ?? path.join(repoRoot, 'bazel-bin/loadgen/loadgen');
// An address block of its own, so that a rehearsal someone runs by hand (or
// another run of this test) on the same machine is left alone.
const NET = `127.${randomInt(100, 250)}.${randomInt(0, 256)}`;
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-rehearsal-'));
const ADMIN_TOKEN = randomBytes(18).toString('base64url');
const SESSIONS = 3;
const FRONT = `${NET}.1`;
const API = `https://${FRONT}:8443`;
const sessionPublic = (i) => `${FRONT}:${8443 + i}`;
const sessionAdmin = (i) => `${NET}.${1 + i}:9000`;
const backendAdmin = (j) => `${NET}.${10 + j}:8081`;
const env = {
  ...process.env, REHEARSAL_NET: NET, REHEARSAL_DIR: DIR, SESSIONS: String(SESSIONS),
  ADMIN_TOKEN, ADMISSION_EXEMPT: '127.0.0.0/8',  // the load generator is a legitimate flood
};
const script = path.join(repoRoot, 'deploy', 'rehearse.sh');

let rehearsal;  // the script, in the foreground as a person runs it
let output = '';
let exited;

// The promise's value, or `late` once ms have passed.
function within(promise, ms, late) {
  let timer;
  return Promise.race([promise, new Promise((r) => { timer = setTimeout(() => r(late), ms); })])
    .finally(() => clearTimeout(timer));
}

after(async () => {
  if (rehearsal && rehearsal.exitCode === null) {
    rehearsal.kill('SIGINT');  // Ctrl-C: it stops everything it started
    await within(exited, 60000);
  }
  await run(script, ['stop']).catch(() => {});  // whatever is left, if it died
  fs.rmSync(DIR, { recursive: true, force: true });
});

function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd: repoRoot, timeout: 120000, ...options }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

const pidOf = (name) => Number(fs.readFileSync(path.join(DIR, 'pids', name), 'utf8').split(' ')[0]);
const ca = () => fs.readFileSync(path.join(DIR, 'tls', 'ca.pem'));

async function adminGet(hostPort, route) {
  const res = await fetch(`http://${hostPort}${route}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`GET ${hostPort}${route}: HTTP ${res.status}`);
  return res.json();
}

// Through the front, over TLS, trusting the rehearsal's CA alone.
function front(url, { method = 'GET', body, token } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(url, {
      method, ca: ca(), agent: false, timeout: 10000,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = { text }; }
        resolve({ status: res.statusCode, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function login(userId) {
  const res = await front(`${API}/api/login`, { method: 'POST', body: { userId } });
  assert.equal(res.status, 200, `login ${userId}: ${JSON.stringify(res.json)}`);
  return res.json.token;
}

// HAProxy's view of the backends, from its runtime API: { backend_1: 'UP', ... }.
function haproxyBackends() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path.join(DIR, 'haproxy.sock'));
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const lines = text.split('\n').map((l) => l.split(','));
      const header = text.startsWith('# ') ? lines[0] : [];
      const status = header.indexOf('status');
      resolve(Object.fromEntries(lines.filter((f) => f[0] === 'backends' && f[1].startsWith('backend_'))
        .map((f) => [f[1], f[status]])));
    });
    socket.end('show stat\n');
  });
}

// Runs the loadgen through the front; resolves with its exit code, output and report.
function loadgen(args) {
  const report = path.join(DIR, `loadgen-${Date.now()}.json`);
  const child = spawn(LOADGEN_BIN, [
    '--target', API, '--ca-file', path.join(DIR, 'tls', 'ca.pem'), '--scenario', 'chat',
    '--timeout', '120', '--report', report, ...args,
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => {
    let json;
    try { json = JSON.parse(fs.readFileSync(report, 'utf8')); } catch {}
    resolve({ code, stdout, stderr: stderr.slice(-2000), report: json });
  }));
}

function assertPass(result, what) {
  assert.equal(result.report?.passed, true, `${what}: the loadgen's verdict is not PASS\n${result.stdout}\n${result.stderr}`);
  assert.equal(result.code, 0, `${what}: exit code`);
}

async function sessionStatus(i) { return adminGet(sessionAdmin(i), '/status'); }

async function usersOnSessions() {
  let users = 0;
  for (let i = 1; i <= SESSIONS; i++) {
    for (const room of (await sessionStatus(i)).rooms) users += room.users;
  }
  return users;
}

// Each backend's state for session server i (by its public name).
async function serverStates(i, backends) {
  const states = [];
  for (const j of backends) {
    const fleet = await adminGet(backendAdmin(j), '/api/fleet');
    states.push(fleet.servers.find((s) => s.host === sessionPublic(i))?.state ?? 'absent');
  }
  return states;
}

test('deploy/rehearse.sh starts Redis, 3 session servers, 3 backends and HAProxy on loopback', async () => {
  rehearsal = spawn(script, [], { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  rehearsal.stdout.on('data', (d) => (output += d));
  rehearsal.stderr.on('data', (d) => (output += d));
  exited = new Promise((resolve) => rehearsal.on('exit', resolve));
  await until('the rehearsal to say it is ready', () => {
    if (rehearsal.exitCode !== null) throw new Error(`deploy/rehearse.sh exited ${rehearsal.exitCode}:\n${output}`);
    return /rehearse: ready/.test(output);
  }, { timeoutMs: 150000, everyMs: 200 });
  assert.match(output, new RegExp(`https://${FRONT.replaceAll('.', '\\.')}:8443/`), 'prints the URL');
  // Each backend passes HAProxy's health check (UP 1/2 until the first one).
  await until('HAProxy to see the 3 backends healthy', async () =>
    Object.values(await haproxyBackends()).join() === 'UP,UP,UP');
  for (let j = 1; j <= 3; j++) {
    const fleet = await adminGet(backendAdmin(j), '/api/fleet');
    assert.deepEqual(fleet.servers.map((s) => [s.host, s.state]).sort(),
      [1, 2, 3].map((i) => [sessionPublic(i), 'ready']), `backend ${j}'s view`);
    assert.equal(fleet.lease.enabled, true, 'replicated through Redis');
  }
  // The session servers answer /status on their public port to the
  // operators' token; the front never lets it through.
  const res = await front(`https://${sessionPublic(1)}/status`, { token: ADMIN_TOKEN });
  assert.equal(res.status, 404, 'the front hides the operators\' routes');
});

test('the loadgen chats through TLS: PASS, rooms on every session server', async () => {
  const result = await loadgen(['--rooms', '9', '--users', '4', '--rate', '1', '--duration', '5', '--ramp', '2']);
  assertPass(result, 'chat through TLS');
  const rooms = [];
  for (let i = 1; i <= SESSIONS; i++) rooms.push((await sessionStatus(i)).rooms.length);
  assert.equal(rooms.reduce((a, b) => a + b), 9, `rooms per session server: ${rooms}`);
  assert.ok(rooms.every((n) => n > 0), `every session server holds rooms: ${rooms}`);
});

test('a backend SIGKILLed: HAProxy takes it out, look-ups and chat go on', async () => {
  const alice = await login('alice');
  const created = await front(`${API}/api/rooms`, { method: 'POST', token: alice });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  const roomId = created.json.roomId;

  const chatting = loadgen(['--rooms', '6', '--users', '4', '--rate', '1', '--duration', '8', '--ramp', '2']);
  await until('the loadgen\'s 24 bots connected', async () => (await usersOnSessions()) >= 24,
    { timeoutMs: 60000, everyMs: 200 });
  const killed = pidOf('backend-2');
  process.kill(killed, 'SIGKILL');
  await until('backend 2 to be gone', () => !processAlive(killed));

  // Look-ups right away: a connection HAProxy opens to the dead backend is
  // refused and sent to another (retry-on conn-failure, redispatch).
  const lookUp = async () => {
    const found = await front(`${API}/api/rooms/${roomId}`, { token: alice });
    assert.equal(found.status, 200, JSON.stringify(found.json));
    return found.json.host;
  };
  const hosts = new Set();
  for (let k = 0; k < 6; k++) hosts.add(await lookUp());
  await until('HAProxy\'s health check to take backend 2 out',
    async () => (await haproxyBackends()).backend_2 === 'DOWN');
  const states = await haproxyBackends();
  assert.ok(/^UP/.test(states.backend_1) && /^UP/.test(states.backend_3), JSON.stringify(states));
  for (let k = 0; k < 6; k++) hosts.add(await lookUp());
  assert.equal(hosts.size, 1, `every replica answers the room at one host: ${[...hosts]}`);

  assertPass(await chatting, 'chat while a backend was SIGKILLed');
  // New rooms, placed by the two backends left.
  assertPass(await loadgen(['--rooms', '3', '--users', '3', '--rate', '1', '--duration', '3', '--ramp', '1']),
    'chat after the kill');
});

test('a session server restarted on its address is taken back and gets new rooms', async () => {
  const live = [1, 3];  // backend 2 was killed above
  const stopped = pidOf('session-2');
  process.kill(stopped, 'SIGTERM');
  await until('session server 2 to exit after SIGTERM', () => !processAlive(stopped));
  await until('the backends to see session server 2 gone',
    async () => (await serverStates(2, live)).every((s) => s === 'gone'));

  const { stdout } = await run(script, ['session', '2']);
  assert.match(stdout, /runs again/);
  assert.notEqual(pidOf('session-2'), stopped);
  await until('the backends to take session server 2 back (it answers their polls)',
    async () => (await serverStates(2, live)).every((s) => s === 'ready'));

  // The restarted server is the emptiest: new rooms go there (least-loaded).
  let placed;
  for (let k = 0; k < 6 && !placed; k++) {
    const token = await login(`creator${k}`);
    const room = await front(`${API}/api/rooms`, { method: 'POST', token });
    assert.equal(room.status, 200, JSON.stringify(room.json));
    const found = await front(`${API}/api/rooms/${room.json.roomId}`, { token });
    if (found.json.host === sessionPublic(2)) placed = room.json.roomId;
  }
  assert.ok(placed, 'a new room was placed on the restarted session server');

  // Two users chat there over wss through the front.
  const join = async (userId) => {
    const token = await login(userId);
    const found = (await front(`${API}/api/rooms/${placed}`, { token })).json;
    assert.equal(found.host, sessionPublic(2));
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://${found.host}/?token=${found.token}`, ['scalable-chat.events.v1'], { ca: ca() });
      ws.frames = [];
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        ws.frames.push(...(Array.isArray(frame) ? frame : [frame]));
      });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  };
  const a = await join('ana');
  const b = await join('ben');
  a.send('back on server 2');
  await until('ben to hear ana', () => b.frames.some((f) => f.type === 'message' && f.msg === 'back on server 2'));
  a.close();
  b.close();
  const status = await sessionStatus(2);
  assert.ok(status.rooms.some((r) => r.roomId === placed), 'the room is on session server 2');
});

test('Ctrl-C stops everything the rehearsal started', async () => {
  const pids = fs.readdirSync(path.join(DIR, 'pids')).map(pidOf);
  assert.ok(pids.length >= 8, `processes recorded: ${pids.length}`);
  rehearsal.kill('SIGINT');
  const code = await within(exited, 60000, 'still running');
  assert.notEqual(code, 'still running', `deploy/rehearse.sh did not stop:\n${output.slice(-2000)}`);
  await until('every process to be gone', () => pids.every((pid) => !processAlive(pid)));
  assert.match(output, /rehearse: stopped/);
});
