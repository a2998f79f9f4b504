// Rotating the secret that signs tokens with nobody logged out, as
// docs/DEPLOY.md tells an operator to: every process reads the keys
// file (JWT_KEYS_FILE) again on SIGHUP; the first key signs, every key
// checks, and a token names its key (kid).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackend, startSession, login, api, decodeToken, until, Client } from './harness.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-keys-'));
const keysFile = path.join(dir, 'jwt-keys');
const secret = () => crypto.randomBytes(32).toString('base64');
const oldKey = `old ${secret()}`;
const newKey = `new ${secret()}`;
const writeKeys = (...lines) => fs.writeFileSync(keysFile, lines.join('\n') + '\n', { mode: 0o600 });
const stops = [];
after(async () => {
  for (const stop of stops.reverse()) await stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kidOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;

// Sends SIGHUP to every process and waits until each has read the file the
// `times`-th time (its log says so).
async function reload(servers, times, what = /token keys read/g) {
  for (const server of servers) server.child.kill('SIGHUP');
  for (const server of servers) {
    await until(`${server.host} read its keys`, () => (server.child.output.match(what) ?? []).length >= times);
  }
}

test('a secret rotated in three steps, with SIGHUP and no restart, logs nobody out', async () => {
  writeKeys(oldKey);
  const env = { JWT_SECRET: '', JWT_KEYS_FILE: keysFile };
  const session = await startSession({ env });
  stops.push(() => session.stop());
  const backend = await startBackend({ env, sessionHosts: session.host });
  stops.push(() => backend.stop());
  const servers = [backend, session];

  const alice = await login(backend.url, 'alice');
  assert.equal(kidOf(alice), 'old');

  // 1. The new key is added second: it checks tokens, nobody signs with it yet.
  writeKeys(oldKey, newKey);
  await reload(servers, 1);
  assert.equal(kidOf(await login(backend.url, 'carol')), 'old');

  // 2. The new key moves first: new tokens are signed with it, old ones still pass.
  writeKeys(newKey, oldKey);
  await reload(servers, 2);
  const bob = await login(backend.url, 'bob');
  assert.equal(kidOf(bob), 'new');
  const created = await api(backend.url, 'POST', '/api/rooms', { token: alice });
  assert.equal(created.status, 200, 'a token signed before the rotation still works');
  const found = await api(backend.url, 'GET', `/api/rooms/${created.json.roomId}`, { token: bob });
  assert.equal(kidOf(found.json.token), 'new');
  const client = await Client.connect(found.json.host, found.json.token, { events: true });
  await client.next((f) => f.type === 'snapshot');
  await client.close();

  // A file that does not read well leaves the keys as they were.
  fs.writeFileSync(keysFile, 'not a key file\n', { mode: 0o600 });
  await reload(servers, 1, /keys kept as they were/g);
  assert.equal((await api(backend.url, 'POST', '/api/rooms', { token: alice })).status, 200);

  // 3. Once the old tokens have expired, the old key goes: a token it signed is refused.
  writeKeys(newKey);
  await reload(servers, 3);
  const refused = await api(backend.url, 'POST', '/api/rooms', { token: alice });
  assert.equal(refused.status, 401);
  assert.match(JSON.stringify(refused.json), /log in again/);
  assert.equal((await api(backend.url, 'POST', '/api/rooms', { token: bob })).status, 200);
  assert.equal(decodeToken(bob).userId, 'bob');
});

test('a keys file others can read, or a secret set twice, stops the server with what to fix', async () => {
  fs.writeFileSync(path.join(dir, 'open-keys'), `${newKey}\n`, { mode: 0o644 });
  fs.chmodSync(path.join(dir, 'open-keys'), 0o644);
  await assert.rejects(startSession({ env: { JWT_SECRET: '', JWT_KEYS_FILE: path.join(dir, 'open-keys') } }),
    /chmod 600/);
  writeKeys(newKey);
  await assert.rejects(startBackend({ env: { JWT_KEYS_FILE: keysFile } }), /both set/);
});
