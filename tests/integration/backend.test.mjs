// The backend's HTTP API against the real binary: every row of PROTOCOL.md
// and every bad input the production-stack issue names.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startBackend, startSession, api, userToken, decodeToken } from './harness.mjs';

let backend;
let session;
let staticDir;

before(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-static-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>chat</title>');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log(1)');
  fs.writeFileSync(path.join(os.tmpdir(), 'chat-secret.txt'), 'secret outside the root');
  session = await startSession();
  backend = await startBackend({ args: ['--static-dir', staticDir], sessionHosts: session.host });
});
after(async () => {
  const { code } = await backend.stop();
  assert.equal(code, 0, 'backend exits cleanly on SIGTERM');
  await session.stop();
});

async function login(userId = 'alice') {
  const res = await api(backend.url, 'POST', '/api/login', { body: { userId } });
  assert.equal(res.status, 200, res.text);
  return res.json.token;
}

describe('POST /api/login', () => {
  test('returns an HS256 user token carrying userId, iat and exp', async () => {
    const token = await login('alice');
    const [header] = token.split('.');
    assert.equal(JSON.parse(Buffer.from(header, 'base64url')).alg, 'HS256');
    const claims = decodeToken(token);
    assert.equal(claims.userId, 'alice');
    assert.ok(claims.exp > claims.iat);
  });
  test('trims the user id', async () => {
    assert.equal(decodeToken(await login('  bob ')).userId, 'bob');
  });
  for (const [name, body] of [
    ['missing userId', {}],
    ['empty userId', { userId: '' }],
    ['blank userId', { userId: '   ' }],
    ['33-character userId', { userId: 'x'.repeat(33) }],
    ['control characters', { userId: 'a\u0007b' }],
    ['non-string userId', { userId: 42 }],
  ]) {
    test(`400 with a JSON error for ${name}`, async () => {
      const res = await api(backend.url, 'POST', '/api/login', { body });
      assert.equal(res.status, 400);
      assert.equal(typeof res.json.error, 'string');
    });
  }
  test('400 for a body that is not JSON', async () => {
    const res = await api(backend.url, 'POST', '/api/login', { raw: '{"userId": ', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /JSON/);
  });
  test('415 for a body that is not declared JSON', async () => {
    const res = await api(backend.url, 'POST', '/api/login', { raw: 'userId=alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 415);
    assert.match(res.json.error, /application\/json/);
  });
  test('413 for an oversized body', async () => {
    const res = await api(backend.url, 'POST', '/api/login', { body: { userId: 'a', pad: 'x'.repeat(10000) } });
    assert.equal(res.status, 413);
    assert.match(res.json.error, /larger than/);
  });
  test('405 with Allow for the wrong method', async () => {
    const res = await api(backend.url, 'GET', '/api/login');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});

describe('POST /api/rooms and GET /api/rooms/:roomId', () => {
  test('create then look up: host and a session token for that room and host', async () => {
    const token = await login('carol');
    const created = await api(backend.url, 'POST', '/api/rooms', { token });
    assert.equal(created.status, 200, created.text);
    assert.match(created.json.roomId, /^[a-z2-7]{16}$/);
    const found = await api(backend.url, 'GET', `/api/rooms/${created.json.roomId}`, { token });
    assert.equal(found.status, 200);
    assert.equal(found.json.host, session.host);
    const claims = decodeToken(found.json.token);
    assert.deepEqual([claims.userId, claims.roomId, claims.host], ['carol', created.json.roomId, session.host]);
    assert.ok(claims.exp - claims.iat <= 600, 'session tokens are short-lived');
  });
  test('unknown room: 200 with nulls, as the seed answers', async () => {
    const res = await api(backend.url, 'GET', '/api/rooms/doesnotexist', { token: await login() });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { host: null, token: null });
  });
  test('400 for something that cannot be a room id', async () => {
    const res = await api(backend.url, 'GET', '/api/rooms/a%20b', { token: await login() });
    assert.equal(res.status, 400);
  });
  const now = Math.floor(Date.now() / 1000);
  // Each forged token is valid but for one thing, and is refused for it.
  for (const [name, headers, reason] of [
    ['no Authorization header', {}, /Authorization header missing/],
    ['a non-Bearer scheme', { authorization: 'Basic YTpi' }, /Authorization header missing/],
    ['garbage', { authorization: 'Bearer not.a.token' }, /token/],
    ['a wrong signature', { authorization: `Bearer ${userToken('x', {}, { secret: 'wrong' })}` }, /signature/],
    ['alg none', { authorization: `Bearer ${userToken('x', {}, { header: { alg: 'none' } }).replace(/[^.]+$/, '')}` }, /algorithm/],
    ['an expired token', { authorization: `Bearer ${userToken('x', { iat: now - 100, exp: now - 10 })}` }, /expired/],
    ['a token without userId', { authorization: `Bearer ${userToken(undefined)}` }, /userId/],
  ]) {
    test(`401 with a JSON error for ${name}`, async () => {
      for (const [method, route] of [['POST', '/api/rooms'], ['GET', '/api/rooms/abc']]) {
        const res = await api(backend.url, method, route, { headers });
        assert.equal(res.status, 401, `${method} ${route}`);
        assert.match(res.json.error, reason);
      }
    });
  }
  test('accepts a user token it did not issue but that is valid', async () => {
    const res = await api(backend.url, 'POST', '/api/rooms', { token: userToken('forged-but-valid') });
    assert.equal(res.status, 200, res.text);
  });
});

describe('the rest of the surface', () => {
  test('CORS: preflight and headers on API answers', async () => {
    const pre = await api(backend.url, 'OPTIONS', '/api/rooms', { headers: { origin: 'http://x', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
    const res = await api(backend.url, 'POST', '/api/login', { body: { userId: 'a' } });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });
  test('healthz on the public port; metrics and the fleet only for operators', async () => {
    assert.deepEqual((await api(backend.url, 'GET', '/healthz')).json, { status: 'ok' });
    // (/metrics is just another path of the web app here.)
    assert.doesNotMatch((await api(backend.url, 'GET', '/metrics')).text, /chat_backend/);
    assert.equal((await api(backend.url, 'GET', '/api/fleet')).status, 404);
    assert.equal((await api(backend.adminUrl, 'GET', '/api/fleet')).status, 200);
    const metrics = await api(backend.adminUrl, 'GET', '/metrics');
    assert.match(metrics.text, /chat_backend_http_requests_total\{code="200",route="\/api\/login"\} \d+/);
    assert.match(metrics.text, /process_resident_memory_bytes \d/);
  });
  test('unknown API routes: 404 JSON', async () => {
    const res = await api(backend.url, 'GET', '/api/nope');
    assert.equal(res.status, 404);
    assert.ok(res.json.error);
  });
  test('static files, SPA fallback, and missing assets', async () => {
    const index = await api(backend.url, 'GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /text\/html/);
    const asset = await api(backend.url, 'GET', '/assets/app-1234.js');
    assert.equal(asset.text, 'console.log(1)');
    assert.match(asset.headers.get('cache-control'), /immutable/);
    const route = await api(backend.url, 'GET', '/room/abc123');
    assert.match(route.text, /<title>chat/);
    assert.equal((await api(backend.url, 'GET', '/assets/missing.js')).status, 404);
  });
  test('HEAD answers the headers of GET, Content-Length included, without a body', async () => {
    const get = await api(backend.url, 'GET', '/assets/app-1234.js');
    const head = await rawSend(backend.port, 'HEAD /assets/app-1234.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.match(head, new RegExp(`Content-Length: ${get.text.length}\r\n`, 'i'));
    assert.ok(head.endsWith('\r\n\r\n'), 'no body after the headers');
  });
  test('path traversal never leaves the static folder', async () => {
    for (const target of ['/../chat-secret.txt', '/%2e%2e/chat-secret.txt', '/assets/..%2f..%2fchat-secret.txt', '/..%5cchat-secret.txt']) {
      const text = await rawGet(backend.port, target);
      assert.doesNotMatch(text, /secret outside the root/, target);
    }
  });
  test('malformed HTTP gets a 400 JSON answer', async () => {
    const text = await rawSend(backend.port, 'NONSENSE\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 400/);
    assert.match(text, /"error"/);
  });
});

function rawSend(port, data) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    setTimeout(() => { socket.destroy(); resolve(text); }, 3000);
  });
}
const rawGet = (port, target) => rawSend(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
