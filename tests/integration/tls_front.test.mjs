// The chat behind a real HAProxy terminating TLS, configured by the very file
// docs/haproxy.cfg shows: log in and create a room over https, join it over
// wss, chat. The certificate is made here for 127.0.0.1 and trusted by the
// clients alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startBackend, startSession, freePort, repoRoot } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stops = [];
after(async () => { for (const stop of stops.reverse()) await stop(); });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-tls-'));
const config = path.join(repoRoot, 'docs', 'haproxy.cfg');

function makeCertificate() {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const pem = path.join(dir, 'chat.pem');
  fs.writeFileSync(pem, fs.readFileSync(cert, 'utf8') + fs.readFileSync(key, 'utf8'));
  return { pem, ca: fs.readFileSync(cert) };
}

function request(url, { method = 'GET', body, token, ca }) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(url, {
      method, ca, agent: false,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function listening(port) {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

test('docs/haproxy.cfg terminates TLS in front of the backend and a session server', async () => {
  const { pem, ca } = makeCertificate();
  const apiPort = await freePort();
  const sessionFrontPort = await freePort();
  const front = `127.0.0.1:${sessionFrontPort}`;
  // The session server is known to clients by its front's address.
  const session = await startSession({ advertise: false, args: ['--advertised-host', front, '--trusted-proxies', '127.0.0.1/32'] });
  stops.push(() => session.stop());
  const backend = await startBackend({
    sessionHosts: front,
    args: ['--session-admin-hosts', session.adminUrl.replace('http://', ''), '--trusted-proxies', '127.0.0.1/32'],
  });
  stops.push(() => backend.stop());

  const env = {
    ...process.env, TLS_PEM: pem,
    API_BIND: `127.0.0.1:${apiPort}`, BACKEND_ADDR: backend.host,
    SESSION_1_BIND: front, SESSION_1_ADDR: session.host,
  };
  execFileSync('haproxy', ['-c', '-q', '-f', config], { env });  // the documented file is valid
  const haproxy = spawn('haproxy', ['-db', '-f', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  haproxy.stderr.on('data', (d) => (errors += d));
  const exited = new Promise((resolve) => haproxy.on('exit', resolve));
  stops.push(async () => { haproxy.kill('SIGTERM'); await exited; });
  await listening(apiPort);
  await listening(sessionFrontPort);

  const api = `https://127.0.0.1:${apiPort}`;
  const login = async (userId) => (await request(`${api}/api/login`, { method: 'POST', body: { userId }, ca })).json.token;
  const alice = await login('alice');
  const bob = await login('bob');
  const created = await request(`${api}/api/rooms`, { method: 'POST', token: alice, ca });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  assert.match(created.headers['strict-transport-security'], /max-age/);
  const found = (await request(`${api}/api/rooms/${created.json.roomId}`, { token: alice, ca })).json;
  assert.equal(found.host, front, 'clients are sent to the front, not to the server behind it');
  const bobs = (await request(`${api}/api/rooms/${created.json.roomId}`, { token: bob, ca })).json;

  // A member is in the room once its snapshot has come, not when the socket
  // opens: a message sent before that would reach the other member inside
  // its snapshot, never as a message event.
  const join = (placement) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${placement.host}/?token=${placement.token}`, ['scalable-chat.events.v1'], { ca });
    ws.frames = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      ws.frames.push(...(Array.isArray(frame) ? frame : [frame]));
      if (ws.frames.some((f) => f.type === 'snapshot')) resolve(ws);
    });
    ws.once('error', reject);
  });
  const a = await join(found);
  const b = await join(bobs);
  const heard = new Promise((resolve) => {
    const check = () => {
      if (b.frames.some((f) => f.type === 'message' && f.msg === 'over TLS')) resolve();
    };
    b.on('message', check);
    check();
  });
  a.send('over TLS');
  await heard;
  a.close();
  b.close();
  assert.equal(haproxy.exitCode, null, `HAProxy is running: ${errors}`);
});
