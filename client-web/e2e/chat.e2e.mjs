// End-to-end test of the web client against the real backend + session server.
//   BASE_URL=http://127.0.0.1:8080 ARTIFACTS_DIR=/tmp/artifacts node e2e/chat.e2e.mjs
// tests/browser/run.sh starts the servers and sets the environment below.
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import WebSocket from 'ws';
import {
  artifactsDir,
  assert,
  baseUrl,
  finish,
  horizontalOverflowPx,
  launchChromium,
  test,
} from './harness.mjs';
import { TIMEOUT, login as loginAt, sendMessage, waitForMessage, waitForUsers } from './chatPage.mjs';

const BASE_URL = baseUrl('http://127.0.0.1:8080');
const ARTIFACTS_DIR = artifactsDir();
// The session server's per-user message limit, when the runner set it (run.sh
// does): the burst test then knows how many of its messages must be refused.
const { E2E_MESSAGES_PER_SECOND, E2E_MESSAGES_BURST } = process.env;
const RATE_LIMIT =
  E2E_MESSAGES_PER_SECOND && E2E_MESSAGES_BURST
    ? { perSecond: Number(E2E_MESSAGES_PER_SECOND), burst: Number(E2E_MESSAGES_BURST) }
    : null;
// The client's longest wait between two reconnect attempts
// (DEFAULT_BACKOFF.capMs in src/backoff.ts).
const RECONNECT_DELAY_MAX_MS = 30_000;

const run = Date.now().toString(36);
const ALICE = `alice-${run}`;
const BOB = `bob-${run}`;

const ctx = {}; // state shared between the steps
const login = (page, name) => loginAt(page, BASE_URL, name);

/**
 * Waits until each of the n "burst i" messages is sent or failed (none left
 * sending or queued, none missing); returns the count of each status.
 */
async function waitForBurstSettled(page, n) {
  let counts = {};
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    const statuses = await page.locator('[data-testid="message"]').evaluateAll((els) =>
      els
        .filter((e) => {
          const text = e.querySelector('[data-testid="message-text"]')?.textContent ?? '';
          return /^burst \d+$/.test(text);
        })
        .map((e) => e.getAttribute('data-status')),
    );
    counts = { sent: 0, failed: 0 };
    for (const s of statuses) counts[s] = (counts[s] || 0) + 1;
    if (statuses.length === n && counts.sent + counts.failed === n) return counts;
    await page.waitForTimeout(100);
  }
  throw new Error(`statuses of the ${n} burst messages: ${JSON.stringify(counts)}`);
}

const browser = await launchChromium();

try {
  const aliceCtx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const bobCtx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const alice = await aliceCtx.newPage();
  const bob = await bobCtx.newPage();
  for (const [who, p] of [
    ['alice', alice],
    ['bob', bob],
  ]) {
    p.on('pageerror', (e) => console.log(`  # ${who} page error: ${e.message}`));
  }

  await test('login page validates the username before calling the server', async () => {
    await alice.goto(`${BASE_URL}/`);
    await alice.getByLabel('Username').fill('   ');
    await alice.getByTestId('login-submit').click();
    await alice.getByTestId('login-error').waitFor({ timeout: TIMEOUT });
  });

  await test('two users log in', async () => {
    await login(alice, ALICE);
    await login(bob, BOB);
    await alice.screenshot({ path: join(ARTIFACTS_DIR, 'lobby.png') });
  });

  await test('alice creates a room and sees herself connected', async () => {
    await alice.getByTestId('create-room').click();
    await alice.waitForURL(/\/room\/[^/]+$/, { timeout: TIMEOUT });
    await alice.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
    ctx.roomId = (await alice.getByTestId('room-id').textContent())?.trim();
    assert(ctx.roomId, 'no room id shown');
    assert(alice.url().endsWith(`/room/${encodeURIComponent(ctx.roomId)}`), `URL ${alice.url()} does not name the room`);
    const host = await alice.getByTestId('room-host').textContent();
    assert(host && host.startsWith('Connected to:'), `host line is "${host}"`);
    await waitForUsers(alice, [ALICE]);
  });

  await test('bob joins by the shared room id and both see both users', async () => {
    assert(ctx.roomId, 'no room from the previous step');
    await bob.getByLabel('Room ID').fill(ctx.roomId);
    await bob.getByTestId('join-room').click();
    await bob.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
    await waitForUsers(bob, [ALICE, BOB]);
    await waitForUsers(alice, [ALICE, BOB]);
  });

  await test('messages appear on both sides with the right authors', async () => {
    await sendMessage(alice, 'hello bob, from a real browser');
    await waitForMessage(alice, ALICE, 'hello bob, from a real browser');
    await waitForMessage(bob, ALICE, 'hello bob, from a real browser');
    await sendMessage(bob, 'hi alice');
    await waitForMessage(bob, BOB, 'hi alice');
    await waitForMessage(alice, BOB, 'hi alice');
    const pending = await alice.locator('[data-testid="message"]:not([data-status="sent"])').count();
    assert(pending === 0, `${pending} message(s) still pending on alice's side`);
    await alice.screenshot({ path: join(ARTIFACTS_DIR, 'room.png') });
  });

  await test('Shift+Enter makes a new line and Enter sends it as one message', async () => {
    const input = bob.getByLabel('Message', { exact: true });
    await input.fill('line one');
    await input.press('Shift+Enter');
    await input.pressSequentially('line two');
    await input.press('Enter');
    await waitForMessage(alice, BOB, 'line one\nline two');
  });

  await test('an over-long message is refused visibly, not lost', async () => {
    const max = Number(await alice.getByLabel('Message', { exact: true }).getAttribute('maxlength'));
    assert(max > 0, 'textarea has no maxlength from the snapshot limits');
    // the textarea enforces the limit: typing more than max keeps max characters
    await alice.getByLabel('Message', { exact: true }).fill('x'.repeat(max + 10));
    const len = (await alice.getByLabel('Message', { exact: true }).inputValue()).length;
    assert(len <= max, `textarea accepted ${len} > ${max} characters`);
    await alice.getByLabel('Message', { exact: true }).fill('');
  });

  await test('a burst over the rate limit: every message ends sent or visibly not sent, none lost', async () => {
    const N = 20;
    const input = alice.getByLabel('Message', { exact: true });
    const startedMs = Date.now();
    for (let i = 0; i < N; i++) {
      await input.fill(`burst ${i}`);
      await input.press('Enter');
    }
    const counts = await waitForBurstSettled(alice, N);
    const elapsedS = (Date.now() - startedMs) / 1000;
    // Which messages the server refuses depends on how fast they came, so on
    // this machine's speed. What does not: the server received them all within
    // elapsedS, so its token bucket let through at most burst + rate x elapsedS.
    const took = `${N} messages in ${elapsedS.toFixed(1)} s`;
    console.log(`  # ${took}: ${counts.sent} sent, ${counts.failed} refused`);
    if (RATE_LIMIT) {
      const acceptedMax = Math.floor(RATE_LIMIT.burst + RATE_LIMIT.perSecond * elapsedS);
      assert(
        counts.sent <= acceptedMax,
        `${took}: ${counts.sent} sent, over the limit ` +
          `(${RATE_LIMIT.burst} + ${RATE_LIMIT.perSecond}/s allows ${acceptedMax})`,
      );
    }
    if (counts.failed === 0) return; // slow enough that the server had to refuse nothing
    const reason = await alice.locator('[data-testid="message"][data-status="failed"]').first().textContent();
    assert(/not sent: \S/i.test(reason || ''), `failed message shows "${reason}", no reason`);
    await alice.screenshot({ path: join(ARTIFACTS_DIR, 'room-rate-limited.png') });
  });

  await test('the user list updates when bob leaves', async () => {
    await bob.getByTestId('back-to-lobby').first().click();
    await bob.getByTestId('lobby-page').waitFor({ timeout: TIMEOUT });
    await waitForUsers(alice, [ALICE]);
  });

  await test('the share link opens the room (bob comes back through the URL)', async () => {
    await bob.goto(`${BASE_URL}/room/${encodeURIComponent(ctx.roomId)}`);
    await bob.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
    await waitForUsers(alice, [ALICE, BOB]);
    await waitForMessage(bob, ALICE, 'hello bob, from a real browser'); // history from the snapshot
  });

  await test('a logged-out visitor of a share link goes through login and lands in the room', async () => {
    const c = await browser.newContext();
    try {
      const p = await c.newPage();
      await p.goto(`${BASE_URL}/room/${encodeURIComponent(ctx.roomId)}`);
      await p.getByTestId('login-page').waitFor({ timeout: TIMEOUT });
      await p.getByLabel('Username').fill(`carol-${run}`);
      await p.getByTestId('login-submit').click();
      await p.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
      await waitForUsers(alice, [ALICE, BOB, `carol-${run}`]);
      await p.close();
      await waitForUsers(alice, [ALICE, BOB]);
    } finally {
      await c.close();
    }
  });

  await test('a 101st user sees the room-full reason (100 bots fill the room)', async () => {
    const call = async (method, path, token, body) => {
      const res = await fetch(`${BASE_URL}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      assert(res.ok, `${method} ${path}: HTTP ${res.status}`);
      return res.json();
    };
    const tokens = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call('POST', '/api/login', null, { userId: `bot${i}-${run}` }).then((r) => r.token)),
    );
    const { roomId } = await call('POST', '/api/rooms', tokens[0]);
    const bots = [];
    try {
      for (const token of tokens) {
        const { host, token: sessionToken } = await call('GET', `/api/rooms/${roomId}`, token);
        const ws = new WebSocket(`ws://${host}/?token=${sessionToken}`, ['scalable-chat.events.v1']);
        bots.push(ws);
        await new Promise((resolve, reject) => {
          ws.once('message', resolve); // the snapshot: this bot is in
          ws.once('close', (code, reason) => reject(new Error(`bot refused: ${code} ${reason}`)));
          ws.once('error', reject);
        });
      }
      await alice.goto(`${BASE_URL}/room/${roomId}`);
      const status = alice.locator('[data-testid="room-status"][data-state="rejected"]');
      await status.waitFor({ timeout: TIMEOUT });
      const text = await status.textContent();
      assert(text.includes('Room is full'), `status says "${text}"`);
      await alice.screenshot({ path: join(ARTIFACTS_DIR, 'room-full.png') });
    } finally {
      for (const ws of bots) ws.close();
    }
  });

  await test('an unknown room id shows Room Not Found', async () => {
    await bob.goto(`${BASE_URL}/room/no-such-room-${run}`);
    const status = bob.locator('[data-testid="room-status"][data-state="not-found"]');
    await status.waitFor({ timeout: TIMEOUT });
    const title = await status.getByRole('heading').textContent();
    assert(title === 'Room Not Found', `heading is "${title}"`);
  });

  await test('an unknown path shows the 404 page', async () => {
    await bob.goto(`${BASE_URL}/definitely/not/a/page`);
    await bob.getByTestId('page-not-found').waitFor({ timeout: TIMEOUT });
  });

  await test('logout returns to the login page', async () => {
    await bob.goto(`${BASE_URL}/`);
    await bob.getByTestId('logout').click();
    await bob.getByTestId('login-page').waitFor({ timeout: TIMEOUT });
  });

  // Optional: the runner can let us restart the session server (SIGTERM -> close 1001).
  // E2E_SESSION_STOP_CMD / E2E_SESSION_START_CMD are shell commands; both must be set.
  if (process.env.E2E_SESSION_STOP_CMD && process.env.E2E_SESSION_START_CMD) {
    await test('reconnects after the session server restarts and re-sends what was typed while down', async () => {
      await alice.goto(`${BASE_URL}/room/${encodeURIComponent(ctx.roomId)}`);
      await alice.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
      execSync(process.env.E2E_SESSION_STOP_CMD, { stdio: 'inherit' });
      await alice.getByTestId('connection-banner').waitFor({ timeout: TIMEOUT });
      const input = alice.getByLabel('Message', { exact: true });
      await input.fill('typed while the server was down');
      await input.press('Enter');
      await alice.locator('[data-testid="message"][data-status="queued"]').first().waitFor({ timeout: TIMEOUT });
      execSync(process.env.E2E_SESSION_START_CMD, { stdio: 'inherit' });
      // However long the server was down, the next attempt comes within the backoff's cap.
      await alice
        .getByTestId('connection-banner')
        .waitFor({ state: 'detached', timeout: RECONNECT_DELAY_MAX_MS + TIMEOUT });
      await waitForMessage(alice, ALICE, 'typed while the server was down');
      await waitForMessage(alice, ALICE, 'hello bob, from a real browser'); // still shown
    });
  } else {
    console.log('# session restart test not run (set E2E_SESSION_STOP_CMD and E2E_SESSION_START_CMD)');
  }

  await test('the room page fits a 375 px phone screen', async () => {
    // the room itself, whichever steps ran before (without the restart test,
    // alice is still on "Room is full")
    await alice.goto(`${BASE_URL}/room/${encodeURIComponent(ctx.roomId)}`);
    await alice.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
    await alice.setViewportSize({ width: 375, height: 740 });
    const overflow = await horizontalOverflowPx(alice);
    assert(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await alice.screenshot({ path: join(ARTIFACTS_DIR, 'room-phone.png') });
  });
} finally {
  await browser.close();
}
finish();
