// Tokens against the real binaries: each kind of token is refused where the
// other belongs, every token must expire and be spelled in canonical
// base64url, and a short secret stops both servers at start.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  startBackend, startSession, api, signToken, userToken, sessionToken, decodeToken, freePort,
  Client, expectUpgradeRefused, BACKEND_BIN, SESSION_BIN, login as loginAt, joinableRoom } from './harness.mjs';

let backend;
let session;

before(async () => {
  session = await startSession();
  backend = await startBackend({ sessionHosts: session.host });
});
after(async () => {
  await backend.stop();
  await session.stop();
});

const now = () => Math.floor(Date.now() / 1000);

const login = (userId) => loginAt(backend.url, userId);
const joinable = (token) => joinableRoom(backend.url, token);

// 401 from both authorised backend routes, with an error matching `reason`.
async function refusedByBackend(token, reason) {
  for (const [method, route] of [['POST', '/api/rooms'], ['GET', '/api/rooms/abc']]) {
    const res = await api(backend.url, method, route, { token });
    assert.equal(res.status, 401, `${method} ${route}: ${res.text}`);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.match(res.json.error, reason, `${method} ${route}`);
  }
}

async function refusedBySession(token, reason) {
  const refused = await expectUpgradeRefused(session.host, token);
  assert.equal(refused.status, 401);
  assert.match(refused.body.error, reason);
}

// The same token with its last character's unused low bits set: the same
// bytes under another spelling.
function withStrayBits(token) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = token.at(-1);
  return token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
}

describe('token kinds', () => {
  test('a user token from the backend is refused at a session server', async () => {
    const token = await login('kind-user');
    assert.equal(decodeToken(token).typ, 'user');
    await refusedBySession(token, /a user token is not a session token/);
  });
  test('a session token from the backend is refused at the backend', async () => {
    const room = await joinable(await login('kind-session'));
    assert.equal(decodeToken(room.token).typ, 'session');
    await refusedByBackend(room.token, /a session token .* is not a user token/);
    // It still opens its room: the refusal is about where it was presented.
    const member = await Client.connect(room.host, room.token);
    await member.next();
    await member.close();
  });
  test('a token without typ is refused by both', async () => {
    await refusedByBackend(signToken({ userId: 'u', iat: now(), exp: now() + 60 }), /no typ claim/);
    await refusedBySession(
      signToken({ userId: 'u', roomId: 'r', host: session.host, iat: now(), exp: now() + 60 }),
      /no typ claim/);
  });
});

describe('token form', () => {
  test('a token without exp (as the seed issues them) is refused by both', async () => {
    await refusedByBackend(signToken({ typ: 'user', userId: 'legacy', iat: now() }), /no expiry/);
    await refusedBySession(
      signToken({ typ: 'session', userId: 'legacy', roomId: 'r', host: session.host, iat: now() }),
      /no expiry/);
  });
  test('a valid user token spelled in non-canonical base64url is refused', async () => {
    // A token whose signature uses '-' or '_', so that it has a standard-alphabet spelling.
    let token;
    for (let i = 0; !token?.split('.')[2].match(/[-_]/); i++) token = userToken(`canonical-${i}`);
    assert.equal((await api(backend.url, 'POST', '/api/rooms', { token })).status, 200);
    const [header, payload, signature] = token.split('.');
    for (const spelling of [
      withStrayBits(token),
      `${header}.${payload}.${signature}=`,
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}.${signature.replaceAll('-', '+').replaceAll('_', '/')}`,
    ]) {
      await refusedByBackend(spelling, /not canonical base64url/);
    }
  });
  test('a valid session token spelled in non-canonical base64url is refused', async () => {
    const token = sessionToken(session.host, 'canonical', 'u');
    await refusedBySession(withStrayBits(token), /not canonical base64url/);
  });
});

// Runs a binary that must refuse to start: its exit code and output, or
// `started: true` (and the process stopped) if it answered on `port` instead.
function refusedStart(bin, args, secret, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, JWT_SECRET: secret },
                                     stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let exited = false;
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => { exited = true; resolve({ code, output, started: false }); });
    const poll = async () => {
      if (exited) return;
      try {
        await fetch(`http://127.0.0.1:${port}/healthz`);
        child.kill('SIGKILL');
        resolve({ code: null, output, started: true });
      } catch {
        setTimeout(poll, 50);
      }
    };
    poll();
  });
}

describe('secrets', () => {
  for (const [name, bin] of [['backend', BACKEND_BIN], ['session server', SESSION_BIN]]) {
    test(`the ${name} refuses a secret under 32 bytes, saying how to make one`, async () => {
      const port = await freePort();
      const advertised = bin === SESSION_BIN ? ['--advertised-host', `127.0.0.1:${port}`] : [];
      const { code, output, started } =
        await refusedStart(bin, ['--port', String(port), ...advertised], 'change-me', port);
      assert.ok(!started, `started with a 9-byte secret:\n${output}`);
      assert.equal(code, 2, output);
      assert.match(output, /JWT_SECRET is 9 bytes; it must be at least 32/);
      assert.match(output, /head -c 32 \/dev\/urandom \| base64/);
    });
  }
});
