// ./run.sh signs tokens with a secret it keeps (scripts/jwt-secret.sh), so a
// restarted backend still accepts the tokens people hold, and the session
// servers it adopts still accept the tokens it issues.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackend, startSession, login, api, repoRoot, Client } from './harness.mjs';

const script = path.join(repoRoot, 'scripts', 'jwt-secret.sh');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-secret-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const keptSecret = (file) => execFileSync(script, [file], { encoding: 'utf8' }).trim();

test('the secret is made once, readable by its owner only, and the same on every start', () => {
  const file = path.join(dir, 'nested', 'jwt-secret');
  const first = keptSecret(file);
  assert.ok(Buffer.from(first, 'base64').length >= 32, 'at least 32 random bytes');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(keptSecret(file), first);
});

test('a secret file others can read is refused, saying how to fix it', () => {
  const file = path.join(dir, 'open-secret');
  fs.writeFileSync(file, 'x'.repeat(44), { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  assert.throws(() => execFileSync(script, [file], { stdio: 'pipe' }),
    (error) => /chmod 600/.test(error.stderr.toString()));
});

test('a backend restarted with the kept secret accepts the tokens issued before, and its session server too', async () => {
  const JWT_SECRET = keptSecret(path.join(dir, 'jwt-secret'));
  const session = await startSession({ env: { JWT_SECRET } });
  try {
    let backend = await startBackend({ env: { JWT_SECRET }, sessionHosts: session.host });
    const token = await login(backend.url, 'alice');
    await backend.stop();
    backend = await startBackend({ env: { JWT_SECRET: keptSecret(path.join(dir, 'jwt-secret')) },
      sessionHosts: session.host });
    try {
      const created = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      const found = await api(backend.url, 'GET', `/api/rooms/${created.json.roomId}`, { token });
      assert.equal(found.status, 200, JSON.stringify(found.json));
      // The session server, started with the same kept secret, takes the new backend's token.
      const client = await Client.connect(found.json.host, found.json.token, { events: true });
      assert.equal((await client.next((f) => f.type === 'snapshot')).roomId, created.json.roomId);
      await client.close();
    } finally {
      await backend.stop();
    }
  } finally {
    await session.stop();
  }
});
