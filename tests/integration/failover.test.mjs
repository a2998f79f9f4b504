// Failover look-ups (docs/PROTOCOL.md, "History and failover"): a client
// that lost its room's session server looks the room up naming the host it
// could not reach, and the backend checks that server at once instead of
// waiting for missed status polls. The backend polls only once a minute
// here, so a poll cannot be what finds the dead server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackend, api, login, Client, SESSION_BIN, until, processAlive } from './harness.mjs';

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-failover-'));
const fleet = async (backend) => (await api(backend.adminUrl, 'GET', '/api/fleet')).json;
const lookUp = (backend, token, roomId, unreachable) =>
  api(backend.url, 'GET', `/api/rooms/${roomId}` +
    (unreachable === undefined ? '' : `?unreachable=${encodeURIComponent(unreachable)}`), { token });
// chat_backend_failover_probes_total and _skipped_total, by label.
async function probeCounts(backend) {
  const text = (await api(backend.adminUrl, 'GET', '/metrics')).text;
  const counts = {};
  for (const [, name, label, value] of text.matchAll(
    /^chat_backend_failover_probes_(total|skipped_total)\{\w+="(\w+)"\} (\S+)$/gm)) {
    counts[`${name}:${label}`] = Number(value);
  }
  return counts;
}

describe('failover look-ups', () => {
  let backend;
  let token;
  before(async () => {
    backend = await startBackend({ args: [
      '--fleet', 'local', '--session-binary', SESSION_BIN, '--session-log-dir', logDir,
      '--session-arg=--threads=1', '--min-servers', '1', '--max-servers', '3',
      '--poll-interval-ms', '60000',
    ] });
    await until('the first session server', async () =>
      (await fleet(backend)).servers.some((s) => s.state === 'ready'));
    token = await login(backend.url, 'failover-user');
  });
  after(async () => { await backend?.stop(); });

  test('a killed server: the look-up naming it answers a new server that takes the connection', async () => {
    const created = await api(backend.url, 'POST', '/api/rooms', { token });
    assert.equal(created.status, 200, created.text);
    const { roomId } = created.json;
    const first = await lookUp(backend, token, roomId);
    assert.equal(first.status, 200, first.text);
    const client = await Client.connect(first.json.host, first.json.token, { events: true });
    await client.next((f) => f.type === 'snapshot');
    const server = (await fleet(backend)).servers.find((s) => s.host === first.json.host);
    const { pid } = (await api(`http://${server.adminHost}`, 'GET', '/status')).json;
    process.kill(pid, 'SIGKILL');
    await until('the killed server to be gone', () => !processAlive(pid));
    const lost = await client.closed;
    assert.equal(lost.code, 1006, 'the connection dropped without a close frame');

    // Polls alone have not noticed: a plain look-up still answers the dead host.
    const stale = await lookUp(backend, token, roomId);
    assert.equal(stale.json.host, first.json.host);

    const moved = await lookUp(backend, token, roomId, first.json.host);
    assert.equal(moved.status, 200, moved.text);
    assert.ok(moved.json.host, `a host: ${moved.text}`);
    assert.notEqual(moved.json.host, first.json.host);
    const again = await Client.connect(moved.json.host, moved.json.token, { events: true });
    const snapshot = await again.next((f) => f.type === 'snapshot');
    assert.equal(snapshot.roomId, roomId);
    await again.close();

    const after = await fleet(backend);
    assert.ok(!after.servers.some((s) => s.id === server.id && s.state !== 'gone'),
      `the killed server is not live: ${JSON.stringify(after.servers)}`);
    const counts = await probeCounts(backend);
    assert.ok(counts['total:unreachable'] >= 1, JSON.stringify(counts));
    const metrics = (await api(backend.adminUrl, 'GET', '/metrics')).text;
    assert.match(metrics, /chat_scheduler_server_failures_total\{reason="probe_failed"\} [1-9]/);
  });

  test('a live host named unreachable: probed, and the same host is answered', async () => {
    const created = await api(backend.url, 'POST', '/api/rooms', { token });
    assert.equal(created.status, 200, created.text);
    const { roomId } = created.json;
    const first = await lookUp(backend, token, roomId);
    const before = await probeCounts(backend);
    const answer = await lookUp(backend, token, roomId, first.json.host);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.host, first.json.host);
    const counts = await probeCounts(backend);
    const probedOrSkipped = (c) => (c['total:alive'] ?? 0) + (c['skipped_total:too_soon'] ?? 0) +
      (c['skipped_total:in_flight'] ?? 0);
    assert.equal(probedOrSkipped(counts), probedOrSkipped(before) + 1, JSON.stringify(counts));
    assert.equal(counts['total:unreachable'] ?? 0, before['total:unreachable'] ?? 0);
    const client = await Client.connect(answer.json.host, answer.json.token, { events: true });
    await client.next((f) => f.type === 'snapshot');
    await client.close();
  });

  test('a value that is not a host:port, or not the room\'s host, is ignored', async () => {
    const created = await api(backend.url, 'POST', '/api/rooms', { token });
    const { roomId } = created.json;
    const first = await lookUp(backend, token, roomId);
    const before = await probeCounts(backend);
    for (const value of ['garbage', '', '127.0.0.1', '127.0.0.1:99999', '::1:8000', 'a b:80',
      '<script>:1', '127.0.0.1:1', 'example.com:80']) {
      const answer = await lookUp(backend, token, roomId, value);
      assert.equal(answer.status, 200, `${value}: ${answer.text}`);
      assert.equal(answer.json.host, first.json.host, value);
    }
    assert.deepEqual(await probeCounts(backend), before, 'no server was probed');
  });
});
