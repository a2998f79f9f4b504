// Starts the real server binaries on free loopback ports and talks to them
// over real sockets. Binaries come from Bazel's output (bazel build //server:all
// first) or from SESSION_BIN / BACKEND_BIN.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
// Resolved once: bazel-bin/ follows whatever Bazel built last.
const built = (p) => { try { return fs.realpathSync(path.join(repoRoot, p)); } catch { return path.join(repoRoot, p); } };
export const SESSION_BIN = process.env.SESSION_BIN ?? built('bazel-bin/server/session/session');
export const BACKEND_BIN = process.env.BACKEND_BIN ?? built('bazel-bin/server/backend/backend');
export const CHATCTL_BIN = process.env.CHATCTL_BIN ?? built('bazel-bin/server/ctl/chatctl');
// Both binaries refuse secrets shorter than 32 bytes.
export const SECRET = 'integration-test-secret-at-least-32-bytes';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves with check()'s first truthy result; throws naming `what` (and
// the last result) once `timeoutMs` passes. For conditions, never for timing.
export async function until(what, check, { timeoutMs = 30000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// Whether process `pid` still exists (signal 0 checks without sending one).
export function processAlive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function waitHealthy(url, child, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}: ${child.output}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`not healthy after ${timeoutMs} ms: ${url}\n${child.output}`);
}

// A running server process; stop() sends SIGTERM and waits for the exit.
export class Server {
  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.host = `127.0.0.1:${port}`;
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }
  async stop(signal = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

function launch(bin, args, env) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  return child;
}

export async function startSession({ args = [], env = {}, advertise = true, port: fixedPort } = {}) {
  const port = fixedPort ?? await freePort();
  const extra = advertise ? ['--advertised-host', `127.0.0.1:${port}`] : [];
  const child = launch(SESSION_BIN, ['--port', String(port), '--threads', '2', ...extra, ...args], {
    JWT_SECRET: SECRET,
    ...env,
  });
  const server = new Server(child, port);
  await waitHealthy(`${server.url}/healthz`, child);
  server.adminUrl = await adminUrlOf(child, 'session');
  return server;
}

// Both binaries take any free port for their operators' listener (the
// default --admin-port 0) and say which when they start.
// (The line is written before the server answers anything, but its bytes
// may reach us after the first answer does.)
async function adminUrlOf(child, name) {
  const pattern = new RegExp(`${name}: admin on (http:\\/\\/[\\d.]+:\\d+)`);
  for (let waited = 0; waited < 10000; waited += 20) {
    const admin = child.output.match(pattern);
    if (admin) return admin[1];
    await sleep(20);
  }
  throw new Error(`${name} did not print its admin address:\n${child.output}`);
}

// A local fleet's session servers outlive the backend unless it is told to
// stop them (so a restart can adopt them): tests stop them with it, unless
// `keepFleet` (a test of restarts, which stops them itself).
export async function startBackend({ args = [], env = {}, sessionHosts = 'localhost:8000', keepFleet = false } = {}) {
  const port = await freePort();
  const local = args.some((a, i) => a === '--fleet=local' || (a === '--fleet' && args[i + 1] === 'local'));
  const fleetArgs = local && !keepFleet && !args.includes('--stop-fleet-on-exit') ? ['--stop-fleet-on-exit'] : [];
  const child = launch(BACKEND_BIN, ['--port', String(port), '--threads', '2', ...fleetArgs, ...args], {
    JWT_SECRET: SECRET,
    SESSION_SERVER_HOST: sessionHosts,
    ...env,
  });
  const server = new Server(child, port);
  await waitHealthy(`${server.url}/healthz`, child);
  server.adminUrl = await adminUrlOf(child, 'backend');
  return server;
}

// --- tokens -----------------------------------------------------------------
const b64u = (s) => Buffer.from(s).toString('base64url');
// Signs exactly `payload`: the tests that forge tokens start here.
export function signToken(payload, { secret = SECRET, header = { alg: 'HS256', typ: 'JWT' } } = {}) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
// Valid tokens, as the backend issues them (`extra` overrides any claim).
export function userToken(userId, extra = {}, options = {}) {
  const now = Math.floor(Date.now() / 1000);
  return signToken({ typ: 'user', userId, iat: now, exp: now + 3600, ...extra }, options);
}
export function sessionToken(host, roomId, userId, extra = {}, options = {}) {
  const now = Math.floor(Date.now() / 1000);
  return signToken({ typ: 'session', userId, roomId, host, iat: now, exp: now + 300, ...extra }, options);
}
export function decodeToken(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

// --- HTTP ---------------------------------------------------------------------
export async function api(base, method, route, { body, token, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + route, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

// One HTTP request from source address `from` (a loopback address: each is a
// different client to admission control); its status, headers and body.
export function requestFrom(url, { method = 'GET', from, body, headers = {}, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, {
      method, localAddress: from, agent: false,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch {}
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// Logs `userId` in at the backend `base`; its user token.
export async function login(base, userId) {
  const res = await api(base, 'POST', '/api/login', { body: { userId } });
  if (res.status !== 200) throw new Error(`login ${userId}: ${res.status} ${res.text}`);
  return res.json.token;
}

// A room created by `token`'s user at the backend `base`, and the session
// token to join it: { roomId, host, token }.
export async function joinableRoom(base, token) {
  const created = await api(base, 'POST', '/api/rooms', { token });
  if (created.status !== 200) throw new Error(`create: ${created.status} ${created.text}`);
  const found = await api(base, 'GET', `/api/rooms/${created.json.roomId}`, { token });
  if (found.status !== 200) throw new Error(`look-up: ${found.status} ${found.text}`);
  return { roomId: created.json.roomId, ...found.json };
}

// --- WebSocket ----------------------------------------------------------------
export const EVENTS = 'scalable-chat.events.v1';
// With acknowledgements: frames are {"id","msg"}; the message event carrying
// the sender's id is its acknowledgement (once stored).
export const EVENTS_V2 = 'scalable-chat.events.v2';

// A client that records frames and its close, with awaitable helpers.
export class Client {
  constructor(url, protocols) {
    this.frames = [];
    this.waiters = [];
    this.ws = new WebSocket(url, protocols);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
      });
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.messages = 0;  // WebSocket messages; a batch of events is one
    this.ws.on('message', (data, isBinary) => {
      this.messages++;
      const frame = isBinary ? data : JSON.parse(data.toString());
      // The event subprotocol may batch several events into one JSON array.
      if (Array.isArray(frame)) this.frames.push(...frame);
      else this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => !w.check());
    });
  }
  static async connect(host, token, { events = false, protocol, query } = {}) {
    const protocols = protocol ? [protocol] : events ? [EVENTS] : undefined;
    const client = new Client(`ws://${host}/?token=${query ?? token}`, protocols);
    await client.opened;
    return client;
  }
  // Resolves with the first frame from index `from` on that matches.
  next(predicate = () => true, { from = 0, timeoutMs = 5000 } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.frames.length; i++) {
          if (predicate(this.frames[i])) { clearTimeout(timer); resolve(this.frames[i]); return true; }
        }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-3))}`)), timeoutMs);
      if (!check()) this.waiters.push({ check });
    });
  }
  send(text) { this.ws.send(text); }
  close() { this.ws.close(); return this.closed; }
}

export async function expectUpgradeRefused(host, token, protocols) {
  const client = new Client(`ws://${host}/?token=${token}`, protocols);
  try {
    await client.opened;
  } catch (e) {
    return { status: e.status, body: e.body ? JSON.parse(e.body) : undefined };
  }
  client.close();
  throw new Error('upgrade was accepted');
}
