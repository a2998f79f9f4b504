// The backend with --placement hathora-rooms, the seed's way: Hathora's
// rooms API (a local fake, fake_hathora.mjs) is the room directory and packs
// rooms into processes, each process a real session server. The backends
// keep no state, so two of them answer every room alike.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, startSession, api, login, until, Client } from './harness.mjs';
import { startFakeHathora } from './fake_hathora.mjs';

const ROOMS_PER_PROCESS = 3;

// What the Hathora deployment's entrypoint does with the environment Hathora
// gives a process (README, "Hathora, the seed's way"): advertise the
// process's public host:port, and hold roomsPerProcess rooms.
async function startProcess() {
  const session = await startSession({ args: ['--rooms-max', String(ROOMS_PER_PROCESS)] });
  return { hostname: '127.0.0.1', port: session.port, stop: () => session.stop() };
}

function hathoraBackend(fake, { token = fake.token, args = [] } = {}) {
  return startBackend({
    args: ['--placement', 'hathora-rooms', '--hathora-api-url', fake.url, '--hathora-region', 'Frankfurt', ...args],
    env: { HATHORA_APP_ID: fake.appId, HATHORA_TOKEN: token },
  });
}

const metric = (text, name, labels) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('two backends with Hathora as the room directory', () => {
  let fake;
  let a;
  let b;
  before(async () => {
    fake = await startFakeHathora({ roomsPerProcess: ROOMS_PER_PROCESS, startProcess });
    a = await hathoraBackend(fake);
    b = await hathoraBackend(fake);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await fake?.stop();
  });

  test('rooms created through either backend are packed into processes, and both give each room the same host', async () => {
    const tokens = { a: await login(a.url, 'alice'), b: await login(b.url, 'bob') };
    const created = [];
    for (let i = 0; i < 7; i++) {
      const [backend, token] = i % 2 ? [b, tokens.b] : [a, tokens.a];
      const room = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(room.status, 200, room.text);
      assert.match(room.json.roomId, /^[a-z0-9]{20}$/);
      created.push(room.json.roomId);
    }
    const hosts = new Map();
    for (const roomId of created) {
      const viaA = (await api(a.url, 'GET', `/api/rooms/${roomId}`, { token: tokens.a })).json;
      const viaB = (await api(b.url, 'GET', `/api/rooms/${roomId}`, { token: tokens.b })).json;
      assert.equal(viaA.host, viaB.host, `room ${roomId}: one host whichever backend answers`);
      const process = fake.processOf(roomId);
      assert.equal(viaA.host, `${process.host}:${process.port}`, 'the host Hathora gave');
      hosts.set(viaA.host, (hosts.get(viaA.host) ?? 0) + 1);
    }
    assert.equal(fake.processes.size, 3, '7 rooms, 3 a process: 3 processes');
    assert.deepEqual([...hosts.values()].sort(), [1, 3, 3]);
    const creates = fake.calls.filter((c) => c.path.endsWith('/create'));
    assert.equal(creates.length, 7, 'one create a room');
    for (const c of creates) {
      assert.equal(c.auth, `Bearer ${fake.token}`);
      assert.deepEqual(JSON.parse(c.body), { region: 'Frankfurt' });
    }
    const fleet = (await api(a.adminUrl, 'GET', '/api/fleet')).json;
    assert.equal(fleet.placement, 'hathora-rooms');
    assert.equal(fleet.appId, fake.appId);
    const metrics = (await api(a.adminUrl, 'GET', '/metrics')).text;
    assert.ok(metric(metrics, 'chat_backend_hathora_calls_total', { call: 'create', result: 'ok' }) >= 4, metrics);
    assert.ok(metric(metrics, 'chat_backend_hathora_call_seconds_count', { call: 'connection_info' }) >= 4);
    assert.match(metrics, /chat_backend_hathora_room_start_seconds_count [1-9]/);
  });

  test('a room created through one backend and joined through the other: a real chat on the process Hathora runs', async () => {
    const alice = await login(a.url, 'alice');
    const bob = await login(b.url, 'bob');
    const { roomId } = (await api(a.url, 'POST', '/api/rooms', { token: alice })).json;
    const forAlice = (await api(a.url, 'GET', `/api/rooms/${roomId}`, { token: alice })).json;
    const forBob = (await api(b.url, 'GET', `/api/rooms/${roomId}`, { token: bob })).json;
    const aliceClient = await Client.connect(forAlice.host, forAlice.token, { events: true });
    const bobClient = await Client.connect(forBob.host, forBob.token, { events: true });
    try {
      assert.equal((await aliceClient.next((f) => f.type === 'snapshot')).roomId, roomId);
      await bobClient.next((f) => f.type === 'snapshot');
      aliceClient.send('hello from a room Hathora placed');
      const heard = await bobClient.next((f) => f.type === 'message');
      assert.equal(heard.userId, 'alice');
      assert.equal(heard.msg, 'hello from a room Hathora placed');
    } finally {
      await aliceClient.close();
      await bobClient.close();
    }
  });

  test('an unknown room is answered with nulls, as the seed does, by both backends', async () => {
    const token = await login(a.url, 'carol');
    for (const backend of [a, b]) {
      const found = await api(backend.url, 'GET', '/api/rooms/nosuchroom0000000000', { token });
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(found.json, { host: null, token: null });
    }
  });

  test('a room whose process is starting again answers 503 with Retry-After, then its host', async () => {
    const token = await login(a.url, 'dave');
    const { roomId } = (await api(a.url, 'POST', '/api/rooms', { token })).json;
    const process = fake.processOf(roomId);
    fake.restart(process.id);
    const starting = await api(b.url, 'GET', `/api/rooms/${roomId}`, { token });
    assert.equal(starting.status, 503, starting.text);
    assert.ok(Number(starting.headers.get('retry-after')) >= 1);
    assert.match(starting.json.error, /starting/);
    fake.release(process.id);
    const found = await api(b.url, 'GET', `/api/rooms/${roomId}`, { token });
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.host, `${process.host}:${process.port}`);
  });
});

describe('a new room waits for its process', () => {
  test('a creation answers once Hathora starts the process; a look-up meanwhile gets 503, then the host', async () => {
    const fake = await startFakeHathora({ roomsPerProcess: ROOMS_PER_PROCESS, startProcess, holdStarts: true });
    const a = await hathoraBackend(fake);
    const b = await hathoraBackend(fake);
    try {
      const token = await login(a.url, 'erin');
      const creating = api(a.url, 'POST', '/api/rooms', { token });
      const roomId = await until('the room on the fake', () => [...fake.rooms.keys()][0]);
      const early = await api(b.url, 'GET', `/api/rooms/${roomId}`, { token });
      assert.equal(early.status, 503, early.text);
      assert.ok(Number(early.headers.get('retry-after')) >= 1);
      // The session server runs, but Hathora has not said so yet.
      await until('the process to have a server', () => fake.processOf(roomId).server);
      fake.release();
      const created = await creating;
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json.roomId, roomId);
      const found = await api(b.url, 'GET', `/api/rooms/${roomId}`, { token });
      assert.equal(found.status, 200, found.text);
      assert.ok(found.json.host);
    } finally {
      await a.stop();
      await b.stop();
      await fake.stop();
    }
  });

  test('past --server-start-timeout a creation answers 503 with Retry-After and the room is destroyed', async () => {
    const fake = await startFakeHathora({ roomsPerProcess: ROOMS_PER_PROCESS, startProcess, holdStarts: true });
    const backend = await hathoraBackend(fake, { args: ['--server-start-timeout', '1'] });
    try {
      const token = await login(backend.url, 'frank');
      const created = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(created.status, 503, created.text);
      assert.ok(Number(created.headers.get('retry-after')) >= 1);
      assert.match(created.json.error, /did not start a session server for the room within 1 s/);
      const roomId = fake.calls.find((c) => c.path.endsWith('/create')).roomId;
      await until('the unused room to be destroyed', () => fake.calls.some((c) => c.path.endsWith(`/destroy/${roomId}`)));
      assert.equal(fake.rooms.size, 0, 'nobody knows its id: it holds no slot');
    } finally {
      await backend.stop();
      await fake.stop();
    }
  });
});

describe('Hathora\'s errors, as clients see them', () => {
  let fake;
  let backend;
  let token;
  before(async () => {
    fake = await startFakeHathora({ roomsPerProcess: ROOMS_PER_PROCESS, startProcess });
    backend = await hathoraBackend(fake);
    token = await login(backend.url, 'grace');
  });
  after(async () => {
    await backend?.stop();
    await fake?.stop();
  });

  test('a 429 is waited out as Hathora asks, and the room is created once', async () => {
    fake.fail('create', 429, { message: 'slow down', retryAfter: 0, times: 1 });
    const created = await api(backend.url, 'POST', '/api/rooms', { token });
    assert.equal(created.status, 200, created.text);
    assert.equal(fake.rooms.size, 1);
  });

  test('Hathora failing (5xx) is a 503 with Retry-After naming Hathora\'s error, and counted', async () => {
    fake.fail('create', 500, { message: 'database down' });
    try {
      const created = await api(backend.url, 'POST', '/api/rooms', { token });
      assert.equal(created.status, 503, created.text);
      assert.ok(Number(created.headers.get('retry-after')) >= 1);
      assert.match(created.json.error, /Hathora failed to create the room \(HTTP 500: database down\); try again in \d+ s/);
      const roomId = [...fake.rooms.keys()][0];
      fake.fail('connection_info', 503, { message: 'maintenance' });
      const found = await api(backend.url, 'GET', `/api/rooms/${roomId}`, { token });
      assert.equal(found.status, 503, found.text);
      assert.ok(Number(found.headers.get('retry-after')) >= 1);
      assert.match(found.json.error, /HTTP 503: maintenance/);
    } finally {
      fake.heal();
    }
    const metrics = (await api(backend.adminUrl, 'GET', '/metrics')).text;
    assert.ok(metric(metrics, 'chat_backend_hathora_calls_total', { call: 'create', result: 'server_error' }) >= 1);
    assert.ok(metric(metrics, 'chat_backend_hathora_calls_total', { call: 'create', result: 'rate_limited' }) >= 1);
    // Healed: Hathora answers again, and so does the backend.
    assert.equal((await api(backend.url, 'POST', '/api/rooms', { token })).status, 200);
  });

  test('credentials Hathora refuses (401) are a 502 saying an operator must act', async () => {
    const wrong = await hathoraBackend(fake, { token: 'not-the-token' });
    try {
      const userToken = await login(wrong.url, 'heidi');
      const created = await api(wrong.url, 'POST', '/api/rooms', { token: userToken });
      assert.equal(created.status, 502, created.text);
      assert.equal(created.headers.get('retry-after'), null);
      assert.match(created.json.error, /Hathora refused this backend's credentials .*HTTP 401: Invalid token.*HATHORA_TOKEN/);
      const metrics = (await api(wrong.adminUrl, 'GET', '/metrics')).text;
      assert.ok(metric(metrics, 'chat_backend_hathora_calls_total', { call: 'create', result: 'unauthorized' }) >= 1);
    } finally {
      await wrong.stop();
    }
  });
});
