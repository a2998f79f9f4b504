// Replicated backends (README, "Replicas, restarts and the lease"): several
// backends share a Redis (the room directory, the fleet's members, the fleet
// lease); the session servers judge their own room limits (reservations).
// And restarts: a backend killed or stopped while its local fleet runs
// leaves the servers and their rooms running, and the next backend adopts
// them. Every wait is for a condition, with a generous deadline.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startBackend, startSession, api, login, Client, SESSION_BIN, until, processAlive,
} from './harness.mjs';
import { startRedis } from '../support/redis.mjs';

const EXEMPT = ['--admission-exempt', '127.0.0.0/8', '--unjoined-rooms-per-user-max', '0'];
const fleetOf = async (backend) => (await api(backend.adminUrl, 'GET', '/api/fleet')).json;
const statusOf = async (adminUrl) => (await api(adminUrl, 'GET', '/status')).json;

// Creates a room through `backend`, trying again after each 503's Retry-After.
async function createRoom(backend, token) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await api(backend.url, 'POST', '/api/rooms', { token });
    if (res.status === 200) return res.json.roomId;
    assert.equal(res.status, 503, res.text);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no room after 100 attempts');
}

for (const replicas of [2, 3]) {
  describe(`${replicas} backends on one Redis and four session servers`, () => {
    const roomsMax = 50;  // 4 x 50 = 200 slots for 200 rooms: every race is a close one
    let redis, sessions = [], backends = [];
    before(async () => {
      redis = await startRedis();
      for (let i = 0; i < 4; i++) {
        sessions.push(await startSession({ args: ['--rooms-max', String(roomsMax), ...EXEMPT.slice(0, 2)] }));
      }
      const hosts = sessions.map((s) => s.host).join(',');
      const adminHosts = sessions.map((s) => s.adminUrl.replace('http://', '')).join(',');
      for (let i = 0; i < replicas; i++) {
        backends.push(await startBackend({
          sessionHosts: hosts,
          env: { SESSION_ADMIN_HOSTS: adminHosts },
          args: ['--redis', redis.url, '--replica-id', `replica-${i}`, '--rooms-per-server', String(roomsMax),
            '--poll-interval-ms', '200', ...EXEMPT],
        }));
      }
    });
    after(async () => {
      await Promise.all(backends.map((b) => b.stop()));
      await Promise.all(sessions.map((s) => s.stop()));
      await redis?.stop();
    });

    test('200 rooms through alternating replicas: no server over its limit, every replica answers the same host', async () => {
      const tokens = await Promise.all(backends.map((b, i) => login(b.url, `placer-${i}`)));
      const rooms = [];
      // In waves of 20 at once, each request to the next replica: the replicas race.
      for (let wave = 0; wave < 10; wave++) {
        const created = await Promise.all(Array.from({ length: 20 }, (_, k) => {
          const i = (wave * 20 + k) % replicas;
          return createRoom(backends[i], tokens[i]);
        }));
        rooms.push(...created);
      }
      assert.equal(new Set(rooms).size, 200);
      for (const session of sessions) {
        const status = await statusOf(session.adminUrl);
        const held = status.rooms.length + status.reserved.length;
        assert.ok(held <= roomsMax, `${session.host} holds ${held} rooms and reservations, over ${roomsMax}`);
      }
      const total = (await Promise.all(sessions.map((s) => statusOf(s.adminUrl))))
        .reduce((sum, s) => sum + s.rooms.length + s.reserved.length, 0);
      assert.equal(total, 200, 'every room reserved on exactly one server');
      for (const roomId of rooms) {
        const hosts = await Promise.all(backends.map(async (b, i) =>
          (await api(b.url, 'GET', `/api/rooms/${roomId}`, { token: tokens[i] })).json.host));
        assert.ok(hosts[0], `room ${roomId} found`);
        assert.deepEqual(new Set(hosts).size, 1, `room ${roomId}: ${hosts.join(', ')}`);
      }
      // One lease holder among them, and all agree who.
      const leases = await until('one lease holder', async () => {
        const all = await Promise.all(backends.map(async (b) => (await fleetOf(b)).lease));
        return all.filter((l) => l.held).length === 1 && all.every((l) => l.holder) ? all : null;
      });
      assert.equal(new Set(leases.map((l) => l.holder)).size, 1, JSON.stringify(leases));
      assert.ok(leases.every((l) => l.enabled && l.fencingToken > 0), JSON.stringify(leases));
    });
  });
}

// A chatting client: sends a message every 100 ms, counts what comes back.
function chatter(client, name) {
  let sent = 0;
  const timer = setInterval(() => { try { client.send(`${name}-${sent++}`); } catch {} }, 100);
  return {
    stop: () => clearInterval(timer),
    received: () => client.frames.filter((f) => f.type === 'message').length,
  };
}

async function joinRoom(backend, token) {
  const roomId = await createRoom(backend, token);
  const found = await api(backend.url, 'GET', `/api/rooms/${roomId}`, { token });
  assert.equal(found.status, 200, found.text);
  const client = await Client.connect(found.json.host, found.json.token, { events: true });
  await client.next((f) => f.type === 'snapshot');
  return { roomId, host: found.json.host, client };
}

describe('the fleet lease', () => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-lease-'));
  let redis, backends = [];
  const localFleet = (i) => ['--fleet', 'local', '--session-binary', SESSION_BIN, '--session-log-dir', logDir,
    '--session-arg=--threads=1', '--session-arg=--admission-exempt=127.0.0.0/8', '--min-servers', '1',
    '--max-servers', '4', '--rooms-per-server', '2', '--redis', redis.url, '--replica-id', `lease-${i}`,
    '--lease-ms', '1500', '--poll-interval-ms', '250', ...EXEMPT];
  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) backends.push(await startBackend({ args: localFleet(i), keepFleet: true }));
  });
  after(async () => {
    const pids = [];
    for (const b of backends) {
      try { for (const s of (await fleetOf(b)).servers) pids.push((await statusOf(`http://${s.adminHost}`))?.pid); } catch {}
      await b.stop('SIGKILL');
    }
    for (const pid of pids) if (pid) try { process.kill(pid, 'SIGTERM'); } catch {}
    await redis?.stop();
  });

  test('SIGKILL of the holder: another replica takes the lease, adopts the servers and scales; chat goes on', async () => {
    const holderIndex = await until('one holder', async () => {
      const leases = await Promise.all(backends.map(async (b) => (await fleetOf(b)).lease));
      const held = leases.findIndex((l) => l.held);
      return held >= 0 && leases.filter((l) => l.held).length === 1 ? held + 1 : 0;
    }) - 1;
    const holder = backends[holderIndex];
    const other = backends[1 - holderIndex];
    await until('a ready server seen by both', async () =>
      (await Promise.all(backends.map(fleetOf))).every((f) => f.servers.some((s) => s.state === 'ready')));
    const token = await login(other.url, 'lease-user');
    const { roomId, host, client } = await joinRoom(other, token);
    const talk = chatter(client, 'a');
    const before = (await fleetOf(holder)).lease.fencingToken;
    const serverPids = [];
    for (const s of (await fleetOf(holder)).servers) serverPids.push((await statusOf(`http://${s.adminHost}`)).pid);

    const killedAt = Date.now();
    await holder.stop('SIGKILL');
    const lease = await until('the other replica to hold the lease', async () => {
      const l = (await fleetOf(other)).lease;
      return l.held ? l : null;
    });
    const takeoverMs = Date.now() - killedAt;
    console.log(`lease takeover after ${takeoverMs} ms`);
    assert.ok(lease.fencingToken > before, 'a newer fencing token');
    assert.ok(serverPids.every(processAlive), 'no session server died with the backend');

    // It scales: rooms until the servers are full make it start more.
    const startServers = (await fleetOf(other)).servers.filter((s) => s.state !== 'gone').length;
    for (let i = 0; i < 3; i++) await createRoom(other, token);
    await until('a server started by the new holder', async () =>
      (await fleetOf(other)).servers.filter((s) => s.state === 'ready').length > startServers, { timeoutMs: 60000 });

    const seen = talk.received();
    await until('chat to go on', () => talk.received() > seen + 10);
    talk.stop();
    const found = await api(other.url, 'GET', `/api/rooms/${roomId}`, { token });
    assert.equal(found.json.host, host, 'the room is where it was');
    client.close();
  });
});

for (const signal of ['SIGKILL', 'SIGTERM']) {
  describe(`a backend restarted by ${signal} with the local fleet`, () => {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-restart-'));
    const args = ['--fleet', 'local', '--session-binary', SESSION_BIN, '--session-log-dir', logDir,
      '--session-arg=--threads=1', '--session-arg=--admission-exempt=127.0.0.0/8', '--min-servers', '1',
      '--max-servers', '4', '--rooms-per-server', '2', '--poll-interval-ms', '250', ...EXEMPT];
    let backend;
    after(async () => {
      await backend?.stop();
      // The last one was not asked to stop its fleet either.
      try {
        for (const s of JSON.parse(fs.readFileSync(path.join(logDir, 'fleet-state.json'), 'utf8'))) {
          try { process.kill(s.pid, 'SIGTERM'); } catch {}
        }
      } catch {}
    });

    test('no session server dies, no room is lost, the clients keep chatting', async () => {
      backend = await startBackend({ args, keepFleet: true });
      const token = await login(backend.url, 'restart-user');
      const rooms = [];
      for (let i = 0; i < 3; i++) rooms.push(await joinRoom(backend, token));
      const talks = rooms.map((r, i) => chatter(r.client, `c${i}`));
      const fleetBefore = await fleetOf(backend);
      const pids = [];
      for (const s of fleetBefore.servers) pids.push((await statusOf(`http://${s.adminHost}`)).pid);
      assert.ok(pids.length >= 2, 'rooms spread over several servers');

      await backend.stop(signal);
      assert.ok(pids.every(processAlive), 'every session server outlived the backend');
      const counts = talks.map((t) => t.received());
      await until('chat to go on without a backend', () => talks.every((t, i) => t.received() > counts[i] + 5));

      backend = await startBackend({ args, keepFleet: true });
      const adopted = await until('the servers adopted', async () => {
        const fleet = await fleetOf(backend);
        return fleet.servers.filter((s) => s.state === 'ready').length >= pids.length ? fleet : null;
      });
      assert.deepEqual(new Set(adopted.servers.map((s) => s.id)), new Set(fleetBefore.servers.map((s) => s.id)));
      for (const room of rooms) {
        const found = await until(`room ${room.roomId} known again`, async () => {
          const res = await api(backend.url, 'GET', `/api/rooms/${room.roomId}`, { token });
          return res.json?.host ? res : null;
        });
        assert.equal(found.json.host, room.host, 'the room is where its clients are');
      }
      const later = talks.map((t) => t.received());
      await until('chat to go on', () => talks.every((t, i) => t.received() > later[i] + 5));
      for (const t of talks) t.stop();
      for (const r of rooms) r.client.close();
      assert.ok(pids.every(processAlive));
    });
  });
}
