// The backend with the scheduler and a real fleet: session-server processes
// started on demand (local fleet) and stopped when idle; Hathora's API
// played by a local fake that answers as that API documents.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startBackend, startSession, api, Client, SESSION_BIN } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, check, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
async function login(base, userId) {
  return (await api(base, 'POST', '/api/login', { body: { userId } })).json.token;
}
const fleet = async (base, headers = {}) => (await api(base, 'GET', '/api/fleet', { headers })).json;
const ready = (f) => f.servers.filter((s) => s.state === 'ready');

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-fleet-'));
const localFleetArgs = (extra = []) => [
  '--fleet', 'local', '--session-binary', SESSION_BIN, '--session-log-dir', logDir,
  '--poll-interval-ms', '200', '--empty-room-grace', '0', '--session-arg=--threads=1', ...extra,
];

describe('local fleet', () => {
  test('25 rooms make 3 session servers of at most 10 rooms; idle ones are stopped down to the minimum', async () => {
    // One owner creates all 25 rooms faster than polls see them joined: no
    // cap on unjoined rooms here (admission has its own tests).
    const backend = await startBackend({ args: localFleetArgs(['--min-servers', '1', '--max-servers', '5', '--idle-before-stop', '1',
      '--unjoined-rooms-per-user-max', '0']) });
    const clients = [];
    try {
      await until('the minimum server', async () => ready(await fleet(backend.adminUrl)).length === 1);
      const token = await login(backend.url, 'owner');
      const hosts = new Map();
      for (let i = 0; i < 25; i++) {
        const created = await api(backend.url, 'POST', '/api/rooms', { token });
        assert.equal(created.status, 200, created.text);
        const found = await api(backend.url, 'GET', `/api/rooms/${created.json.roomId}`, { token });
        assert.ok(found.json.host, `room ${i} has a host`);
        hosts.set(found.json.host, (hosts.get(found.json.host) ?? 0) + 1);
        clients.push(await Client.connect(found.json.host, found.json.token, { events: true }));
      }
      assert.equal(hosts.size, 3, `hosts: ${JSON.stringify([...hosts])}`);
      for (const [host, rooms] of hosts) assert.ok(rooms <= 10, `${host} holds ${rooms} rooms`);
      const before = await fleet(backend.adminUrl);
      assert.equal(ready(before).length, 3);
      // The admin listener lists the same servers for Prometheus to scrape.
      const discovered = (await api(backend.adminUrl, 'GET', '/sd/session-servers')).json;
      assert.deepEqual(discovered.map((t) => t.targets[0]).sort(), ready(before).map((s) => s.adminHost).sort());
      for (const target of discovered) {
        assert.equal(target.labels.fleet, 'local');
        assert.equal(target.labels.state, 'ready');
        assert.match(target.labels.server_id, /^local-\d+$/);
      }
      const adminMetrics = (await api(backend.adminUrl, 'GET', '/metrics')).text;
      assert.match(adminMetrics, /chat_scheduler_rooms 25/);
      for (const server of ready(before)) {
        const status = (await api(`http://${server.adminHost}`, 'GET', '/status')).json;
        assert.equal(status.rooms.length, hosts.get(server.host), 'what the server holds = what was placed');
      }
      const pids = await Promise.all(ready(before).map(async (s) => (await api(`http://${s.adminHost}`, 'GET', '/status')).json.pid));

      for (const c of clients.splice(0)) await c.close();
      await until('the fleet to shrink to its minimum', async () => {
        const f = await fleet(backend.adminUrl);
        return f.servers.filter((s) => s.state !== 'gone').length === 1;
      }, 30000);
      const alive = pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
      await until('stopped processes to exit', async () => pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } }).length <= 1, 10000);
      assert.ok(alive.length >= 1);
      const metrics = (await api(backend.adminUrl, 'GET', '/metrics')).text;
      const events = (dir) => Number(metrics.match(new RegExp(`chat_scheduler_scale_events_total\\{direction="${dir}"\\} (\\d+)`))?.[1]);
      assert.ok(events('out') >= 3, `scale-out events: ${events('out')}`);
      assert.ok(events('in') >= 2, `scale-in events: ${events('in')}`);
    } finally {
      for (const c of clients) c.close();
      await backend.stop();
    }
  });

  test('a full fleet at its maximum answers 503 with Retry-After', async () => {
    const backend = await startBackend({ args: localFleetArgs(['--min-servers', '1', '--max-servers', '1', '--rooms-per-server', '2']) });
    try {
      await until('the server', async () => ready(await fleet(backend.adminUrl)).length === 1);
      const token = await login(backend.url, 'u');
      for (let i = 0; i < 2; i++) assert.equal((await api(backend.url, 'POST', '/api/rooms', { token })).status, 200);
      const full = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(full.status, 503);
      assert.ok(Number(full.headers.get('retry-after')) >= 1);
      assert.match(full.json.error, /full/);
    } finally {
      await backend.stop();
    }
  });

  test('a crashed server\'s room is placed again and the lookup returns the new host', async () => {
    const backend = await startBackend({ args: localFleetArgs(['--min-servers', '2', '--max-servers', '3']) });
    try {
      await until('two servers', async () => ready(await fleet(backend.adminUrl)).length === 2);
      const token = await login(backend.url, 'u');
      const { roomId } = (await api(backend.url, 'POST', '/api/rooms', { token })).json;
      const first = (await api(backend.url, 'GET', `/api/rooms/${roomId}`, { token })).json;
      const client = await Client.connect(first.host, first.token, { events: true });
      await client.next();
      const holder = (await fleet(backend.adminUrl)).servers.find((s) => s.host === first.host);
      const { pid } = (await api(`http://${holder.adminHost}`, 'GET', '/status')).json;
      process.kill(pid, 'SIGKILL');
      assert.equal((await client.closed).code, 1006);
      const moved = await until('the room to move', async () => {
        const found = (await api(backend.url, 'GET', `/api/rooms/${roomId}`, { token })).json;
        return found.host && found.host !== first.host ? found : null;
      });
      const again = await Client.connect(moved.host, moved.token, { events: true });
      assert.equal((await again.next()).roomId, roomId);
      await again.close();
    } finally {
      await backend.stop();
    }
  });
});

describe('hathora fleet (against a local fake of its API)', () => {
  test('creates a server, waits through 429s, a lost answer and slow starts, and destroys it when idle', async () => {
    // Hathora exposes one port a process: the backend polls /status there, with the admin token.
    const adminToken = 'hathora-operators-0123456789abcdef';
    const session = await startSession({ env: { ADMIN_TOKEN: adminToken } });
    const calls = [];
    const rooms = new Set();  // created on the fake's side
    let createCalls = 0;
    let infoPolls = 0;
    const fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const url = new URL(req.url, 'http://fake');
        calls.push({ method: req.method, path: url.pathname, roomId: url.searchParams.get('roomId'), auth: req.headers.authorization, body });
        const send = (status, json, headers = {}) => { res.writeHead(status, { 'content-type': 'application/json', ...headers }); res.end(JSON.stringify(json)); };
        if (url.pathname === '/rooms/v2/app-1/create' && req.method === 'POST') {
          const roomId = url.searchParams.get('roomId');
          if (createCalls++ === 0) return send(429, { message: 'slow down' }, { 'retry-after': '0' });
          // Created, but the answer is lost (a 502 from a proxy on the way).
          rooms.add(roomId);
          return send(502, { message: 'bad gateway' });
        }
        const info = url.pathname.match(/^\/rooms\/v2\/app-1\/connectioninfo\/(\w+)$/);
        if (info) {
          if (!rooms.has(info[1])) return send(404, { message: 'no such room' });
          if (infoPolls++ < 3) return send(200, { roomId: info[1], status: 'starting' });
          return send(200, { roomId: info[1], status: 'active', exposedPort: { host: '127.0.0.1', port: session.port, transportType: 'tcp' } });
        }
        if (url.pathname.startsWith('/rooms/v2/app-1/destroy/') && req.method === 'POST') return send(200, {});
        send(404, { message: 'no such route' });
      });
    });
    await new Promise((r) => fake.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${fake.address().port}`;
    const backend = await startBackend({
      args: ['--hathora-api-url', apiUrl, '--status-scheme', 'http', '--min-servers', '0', '--idle-before-stop', '1', '--poll-interval-ms', '200', '--empty-room-grace', '0'],
      env: { HATHORA_APP_ID: 'app-1', HATHORA_TOKEN: 'tok-1', ADMIN_TOKEN: adminToken },
    });
    try {
      assert.equal((await api(backend.adminUrl, 'GET', '/api/fleet')).status, 401, 'the admin listener wants the token');
      assert.equal((await fleet(backend.adminUrl, { Authorization: `Bearer ${adminToken}` })).fleet, 'hathora', 'chosen from the seed\'s env');
      const token = await login(backend.url, 'u');
      const room = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(room.status, 200, room.text);
      const found = (await api(backend.url, 'GET', `/api/rooms/${room.json.roomId}`, { token })).json;
      assert.equal(found.host, session.host);
      const creates = calls.filter((c) => c.path.endsWith('/create'));
      assert.equal(creates.length, 2, 'retried after the 429, and not again after the lost answer');
      assert.match(creates[0].roomId, /^[a-z0-9]{20}$/, 'the room id is ours, so a lost answer can be looked up');
      assert.equal(creates[1].roomId, creates[0].roomId);
      assert.equal(rooms.size, 1, 'one room paid for');
      assert.equal(creates[1].auth, 'Bearer tok-1');
      assert.deepEqual(JSON.parse(creates[1].body), { region: 'Washington_DC' });
      assert.ok(infoPolls >= 4, 'polled connection info until active');
      const client = await Client.connect(found.host, found.token, { events: true });
      await client.next();
      await client.close();
      const destroyed = `/rooms/v2/app-1/destroy/${creates[0].roomId}`;
      await until('the idle server to be destroyed', async () => calls.some((c) => c.path === destroyed), 20000);
    } finally {
      await backend.stop();
      await session.stop();
      fake.close();
    }
  });
});
