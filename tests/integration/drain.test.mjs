// Drains (docs/PROTOCOL.md, "History and failover" and the operators'
// listeners): an operator drains a session server through the backend's
// admin listener, or with chatctl. Its clients are closed with 1012 "Room
// moving", its rooms move to other servers with their history (Redis), and
// its process is stopped.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  startBackend, api, login, Client, EVENTS_V2, SESSION_BIN, CHATCTL_BIN, until, processAlive, freePort,
} from './harness.mjs';
import { startRedis } from '../support/redis.mjs';

const ADMIN_TOKEN = 'drain-test-admin-token-of-some-length';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-drain-'));
const fleet = async (backend) => (await api(backend.adminUrl, 'GET', '/api/fleet', { headers: admin })).json;
const live = (f) => f.servers.filter((s) => s.state !== 'gone');

// Runs chatctl; its exit code and output (never throws on a non-zero exit).
function chatctl(args) {
  return new Promise((resolve) => {
    execFile(CHATCTL_BIN, args, { env: { ...process.env, ADMIN_TOKEN: '' }, timeout: 120000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
}

describe('drain', () => {
  let redis;
  let backend;
  let token;
  before(async () => {
    redis = await startRedis();
    backend = await startBackend({
      env: { ADMIN_TOKEN },
      args: ['--fleet', 'local', '--session-binary', SESSION_BIN, '--session-log-dir', logDir,
        '--session-arg=--threads=1', `--session-arg=--redis=${redis.url}`,
        '--min-servers', '2', '--max-servers', '4', '--poll-interval-ms', '200',
        // Moved rooms are placed afresh and count as unjoined until polled.
        '--unjoined-rooms-per-user-max', '0'],
    });
    token = await login(backend.url, 'drain-user');
  });
  after(async () => {
    await backend?.stop();
    await redis?.stop();
  });

  // Two ready servers; a room on each of them at least, with a client in
  // each room that sent one message and saw it stored. The rooms of `server`.
  async function roomsWithClients(count) {
    await until('two ready servers', async () =>
      (await fleet(backend)).servers.filter((s) => s.state === 'ready').length >= 2);
    const rooms = [];
    for (let i = 0; i < count; i++) {
      const created = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(created.status, 200, created.text);
      const found = await api(backend.url, 'GET', `/api/rooms/${created.json.roomId}`, { token });
      assert.equal(found.status, 200, found.text);
      const client = await Client.connect(found.json.host, found.json.token, { protocol: EVENTS_V2 });
      await client.next((f) => f.type === 'snapshot');
      const id = `before-drain-${i}`;
      client.send(JSON.stringify({ id, msg: `said before the drain in room ${i}` }));
      await client.next((f) => f.type === 'message' && f.id === id);
      rooms.push({ roomId: created.json.roomId, host: found.json.host, client, said: `said before the drain in room ${i}` });
    }
    return rooms;
  }

  // Waits until each room's look-up answers another host, joins it there,
  // and checks that its history came along.
  async function expectMovedWithHistory(rooms, drainedHost) {
    for (const room of rooms) {
      const found = await until(`room ${room.roomId} to be placed elsewhere`, async () => {
        const answer = await api(backend.url, 'GET', `/api/rooms/${room.roomId}`, { token });
        return answer.status === 200 && answer.json.host && answer.json.host !== drainedHost && answer.json;
      });
      const client = await Client.connect(found.host, found.token, { protocol: EVENTS_V2 });
      const snapshot = await client.next((f) => f.type === 'snapshot');
      assert.ok(snapshot.messages.some((m) => m.msg === room.said),
        `room ${room.roomId} kept its history: ${JSON.stringify(snapshot.messages)}`);
      await client.close();
    }
  }

  test('through the admin API: rooms move, clients are told 1012, the process exits', async () => {
    const rooms = await roomsWithClients(4);
    const before = await fleet(backend);
    const target = before.servers.find((s) => s.host === rooms[0].host);
    const onTarget = rooms.filter((r) => r.host === target.host);
    const { pid } = (await api(`http://${target.adminHost}`, 'GET', '/status', { headers: admin })).json;

    const refused = await api(backend.adminUrl, 'POST', `/api/fleet/servers/${target.id}/drain`);
    assert.equal(refused.status, 401, 'the admin token is required');
    const unknown = await api(backend.adminUrl, 'POST', '/api/fleet/servers/no-such-server/drain', { headers: admin });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error, /no-such-server/);

    const begun = await api(backend.adminUrl, 'POST', `/api/fleet/servers/${target.id}/drain`, { headers: admin });
    assert.equal(begun.status, 202, begun.text);
    assert.deepEqual(begun.json, { serverId: target.id, state: 'draining', rooms: target.rooms });
    const twice = await api(backend.adminUrl, 'POST', `/api/fleet/servers/${target.id}/drain`, { headers: admin });
    assert.ok([409, 404].includes(twice.status), `a second drain is refused: ${twice.status} ${twice.text}`);
    assert.ok(twice.json.error);

    for (const room of onTarget) {
      assert.deepEqual(await room.client.closed, { code: 1012, reason: 'Room moving' });
    }
    await until('the drained server to leave the fleet', async () =>
      !live(await fleet(backend)).some((s) => s.id === target.id));
    await until('the drained server\'s process to exit', () => !processAlive(pid));
    const drain = (await fleet(backend)).drains.findLast((d) => d.serverId === target.id);
    assert.equal(drain.state, 'drained', JSON.stringify(drain));
    assert.equal(drain.by, 'operator');
    assert.equal(drain.unstored, 0);
    assert.deepEqual([...drain.moved].sort(), onTarget.map((r) => r.roomId).sort());
    await expectMovedWithHistory(onTarget, target.host);

    // Clients of the other servers were left alone.
    for (const room of rooms.filter((r) => r.host !== target.host)) {
      const id = 'after-the-drain';
      room.client.send(JSON.stringify({ id, msg: 'still here' }));
      await room.client.next((f) => f.type === 'message' && f.id === id);
      await room.client.close();
    }
    const metrics = (await api(backend.adminUrl, 'GET', '/metrics', { headers: admin })).text;
    assert.match(metrics, /chat_scheduler_drains_total\{event="done"\} [1-9]/);
  });

  test('with chatctl: drains a server, waits until it is gone and says what moved', async () => {
    const rooms = await roomsWithClients(2);
    const target = (await fleet(backend)).servers.find((s) => s.host === rooms[0].host);
    const onTarget = rooms.filter((r) => r.host === target.host);

    const listed = await chatctl(['fleet', '--admin', backend.adminUrl, '--admin-token', ADMIN_TOKEN]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+STATE\s+HOST\s+ADMIN HOST\s+ROOMS\s+USERS$/m);
    assert.ok(listed.stdout.includes(target.id), listed.stdout);

    const noToken = await chatctl(['drain', target.id, '--admin', backend.adminUrl]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /--admin-token/);
    const unknown = await chatctl(['drain', 'no-such-server', '--admin', backend.adminUrl, '--admin-token', ADMIN_TOKEN]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no-such-server/);
    const publicPort = await chatctl(['fleet', '--admin', backend.url, '--admin-token', ADMIN_TOKEN]);
    assert.equal(publicPort.code, 2);
    assert.match(publicPort.stderr, /public port/);

    const drained = await chatctl(['drain', target.id, '--admin', backend.adminUrl,
      '--admin-token', ADMIN_TOKEN, '--timeout', '90']);
    assert.equal(drained.code, 0, `${drained.stdout}\n${drained.stderr}`);
    // Rooms moved there by the first test are on it too, so at least these.
    assert.match(drained.stdout, new RegExp(`${target.id} is drained and stopped: moved \\d+ rooms? \\(`));
    for (const room of onTarget) {
      assert.ok(drained.stdout.includes(room.roomId), drained.stdout);
      assert.deepEqual(await room.client.closed, { code: 1012, reason: 'Room moving' });
    }
    assert.ok(!live(await fleet(backend)).some((s) => s.id === target.id));
    await expectMovedWithHistory(onTarget, target.host);
    for (const room of rooms.filter((r) => r.host !== target.host)) await room.client.close();
  });
});

describe('defragmentation', () => {
  test('the autoscaler drains a server whose one room fits on the other, through the same path', async () => {
    // First-fit with 2 rooms a server: rooms a and b fill the first server,
    // c starts a second. Once a is freed, each server holds one room and
    // either room fits on the other server: one of them is drained.
    const backend = await startBackend({
      args: ['--fleet', 'local', '--session-binary', SESSION_BIN, '--session-log-dir', logDir,
        '--session-arg=--threads=1', '--policy', 'first-fit', '--rooms-per-server', '2',
        '--min-servers', '1', '--max-servers', '3', '--poll-interval-ms', '200',
        '--empty-room-grace', '0', '--defrag-max-rooms', '1', '--defrag-interval', '1',
        '--unjoined-rooms-per-user-max', '0'],
    });
    try {
      const token = await login(backend.url, 'defrag-user');
      const clients = {};
      for (const name of ['a', 'b', 'c']) {
        const created = await api(backend.url, 'POST', '/api/rooms', { token });
        assert.equal(created.status, 200, created.text);
        const found = await api(backend.url, 'GET', `/api/rooms/${created.json.roomId}`, { token });
        const client = await Client.connect(found.json.host, found.json.token, { protocol: EVENTS_V2 });
        await client.next((f) => f.type === 'snapshot');
        clients[name] = { client, host: found.json.host, roomId: created.json.roomId };
      }
      assert.equal(clients.a.host, clients.b.host);
      assert.notEqual(clients.a.host, clients.c.host);
      await clients.a.client.close();

      const drain = await until('a drain by the autoscaler to end', async () =>
        (await fleet(backend)).drains.find((d) => d.by === 'autoscaler' && d.state !== 'draining'));
      assert.equal(drain.state, 'drained', JSON.stringify(drain));
      const moved = drain.moved.includes(clients.b.roomId) ? clients.b : clients.c;
      const stayed = moved === clients.b ? clients.c : clients.b;
      assert.deepEqual(drain.moved, [moved.roomId]);
      assert.deepEqual(await moved.client.closed, { code: 1012, reason: 'Room moving' });
      await until('one live server', async () => live(await fleet(backend)).length === 1);
      const found = await until('the moved room on the other server', async () => {
        const answer = await api(backend.url, 'GET', `/api/rooms/${moved.roomId}`, { token });
        return answer.json.host === stayed.host && answer.json;
      });
      const rejoined = await Client.connect(found.host, found.token, { protocol: EVENTS_V2 });
      await rejoined.next((f) => f.type === 'snapshot');
      await rejoined.close();
      await stayed.client.close();
    } finally {
      await backend.stop();
    }
  });
});

describe('a drain the session server cannot do', () => {
  test('is cancelled: the server is ready again, the drain shows failed, chatctl exits 1', async () => {
    // Plays a session server's admin listener whose POST /drain fails.
    const publicHost = `127.0.0.1:${await freePort()}`;
    let drainsAsked = 0;
    const fake = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/drain') {
        drainsAsked++;
        res.writeHead(503);
        return res.end(JSON.stringify({ error: 'history store unreachable' }));
      }
      res.end(JSON.stringify({ host: publicHost, draining: false, rooms: [] }));
    });
    await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const backend = await startBackend({
      sessionHosts: publicHost,
      env: { SESSION_ADMIN_HOSTS: `127.0.0.1:${fake.address().port}` },
      args: ['--poll-interval-ms', '200'],
    });
    try {
      const server = (await fleet(backend)).servers[0];
      assert.equal(server.state, 'ready');
      const begun = await api(backend.adminUrl, 'POST', `/api/fleet/servers/${encodeURIComponent(server.id)}/drain`);
      assert.equal(begun.status, 202, begun.text);
      const drain = await until('the drain to fail', async () =>
        (await fleet(backend)).drains.find((d) => d.state === 'failed'));
      assert.match(drain.error, /503/);
      assert.match(drain.error, /history store unreachable/);
      const after = (await fleet(backend)).servers.find((s) => s.id === server.id);
      assert.equal(after.state, 'ready');
      assert.equal(after.drainRequested, false);

      const ctl = await chatctl(['drain', server.id, '--admin', backend.adminUrl]);
      assert.equal(ctl.code, 1, `${ctl.stdout}\n${ctl.stderr}`);
      assert.match(ctl.stderr, /the drain failed and was cancelled: .*503/);
      assert.match(ctl.stderr, /ready again/);
      assert.equal(drainsAsked, 2);
      const metrics = (await api(backend.adminUrl, 'GET', '/metrics')).text;
      assert.match(metrics, /chat_scheduler_drains_total\{event="cancelled"\} 2/);
    } finally {
      await backend.stop();
      fake.close();
    }
  });
});
