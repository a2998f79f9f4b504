// User ids against the real binaries: a name cannot hide characters, nor
// take another's name with another spelling of it.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, startSession, api, decodeToken, Client, login as loginAt, joinableRoom } from './harness.mjs';

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

const login = (userId) => loginAt(backend.url, userId);
const joinable = (token) => joinableRoom(backend.url, token);

describe('user ids', () => {
  for (const [name, userId, reason] of [
    ['a right-to-left override', 'alice\u202Etxt.exe',
      /U\+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control/],
    ['a bidi isolate', 'bob\u2067x\u2069',
      /U\+2067 RIGHT-TO-LEFT ISOLATE, a bidirectional control/],
    ['a zero-width space', 'ali\u200Bce',
      /U\+200B ZERO WIDTH SPACE, an invisible formatting character/],
    ['a zero-width joiner', 'ali\u200Dce', /U\+200D ZERO WIDTH JOINER/],
    ['a byte order mark', '\uFEFFalice', /U\+FEFF ZERO WIDTH NO-BREAK SPACE/],
    ['a Hangul filler', 'alice\u3164', /U\+3164 HANGUL FILLER, an invisible character/],
  ]) {
    test(`400 saying what was wrong for ${name}`, async () => {
      const res = await api(backend.url, 'POST', '/api/login', { body: { userId } });
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.error, reason);
    });
  }
  test('two spellings of one name (NFC and NFD) are the same user', async () => {
    const composed = 'Jos\u00E9';    // é as one code point
    const decomposed = 'Jose\u0301'; // e + combining acute accent
    const first = await login(composed);
    const second = await login(decomposed);
    assert.equal(decodeToken(first).userId, composed);
    assert.equal(decodeToken(second).userId, composed);
    const room = await joinable(first);
    const found = await api(backend.url, 'GET', `/api/rooms/${room.roomId}`, { token: second });
    const member = await Client.connect(room.host, room.token);
    await member.next();
    const lookalike = await Client.connect(found.json.host, found.json.token);
    assert.deepEqual(await lookalike.closed, { code: 1008, reason: 'Duplicate user' });
    await member.close();
  });
});
