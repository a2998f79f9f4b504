// Failover end to end: two people chat, the session server holding their room
// is SIGKILLed, each types a message while it is down (one of them reloads
// the tab before the room is back), both get back into the room on another
// server, and a third person who joins afterwards sees the history from
// before the crash. Every message is shown exactly once to everyone.
// Starts its own servers (e2e/fleet.mjs: a private Redis, the backend with a
// local fleet serving dist/):
//   ARTIFACTS_DIR=/tmp/artifacts node e2e/failover.e2e.mjs
// Skipped, saying what is missing, when the session server cannot store
// history in Redis or does not speak scalable-chat.events.v2.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TIMEOUT, login, messages, sendMessage, waitForMessage, waitForOutboxSettled } from './chatPage.mjs';
import { killSessionServer, missingServerFeatures, startFleet } from './fleet.mjs';
import { artifactsDir, assert, finish, launchChromium, skip, test } from './harness.mjs';

const ARTIFACTS_DIR = artifactsDir();
const LOG_DIR = process.env.LOG_DIR || ARTIFACTS_DIR;
// However long the room takes to come back, the page's next attempt comes
// within the backoff's cap (DEFAULT_BACKOFF.capMs in src/backoff.ts).
const BACK_TIMEOUT_MS = 30_000 + TIMEOUT;
const NAME = 'failover: a killed session server loses no message and delivers none twice';

const run = Date.now().toString(36);
const ALICE = `alice-${run}`;
const BOB = `bob-${run}`;
const CAROL = `carol-${run}`;
const BEFORE = ['before the crash, from alice', 'before the crash, from bob'];
const ALICE_OUTAGE = 'alice typed this while the server was down';
const BOB_OUTAGE = 'bob typed this while the server was down, then reloaded';

/** The subprotocol a session server of this fleet chooses when offered v2 and v1. */
async function negotiatedSubprotocol(baseUrl) {
  const call = async (method, path, token, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    assert(res.ok, `${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  const { token } = await call('POST', '/api/login', null, { userId: `probe-${run}` });
  const { roomId } = await call('POST', '/api/rooms', token);
  const found = await call('GET', `/api/rooms/${roomId}`, token);
  const ws = new WebSocket(`ws://${found.host}/?token=${found.token}`, [
    'scalable-chat.events.v2',
    'scalable-chat.events.v1',
  ]);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return ws.protocol;
  } finally {
    ws.close();
  }
}

/** "Connected to: h:p" once the page is in the room; null otherwise. */
async function connectedHost(page) {
  const text = (await page.getByTestId('room-host').textContent()) ?? '';
  const m = text.match(/^Connected to: (\S+)$/);
  return m ? m[1] : null;
}

/** Waits until the page is in the room on a host other than `lostHost`. */
async function waitBackElsewhere(page, lostHost) {
  const deadline = Date.now() + BACK_TIMEOUT_MS;
  let host = null;
  while (Date.now() < deadline) {
    host = await connectedHost(page).catch(() => null);
    if (host && host !== lostHost) return host;
    await page.waitForTimeout(100);
  }
  throw new Error(`not back in the room on another server (host line: ${host})`);
}

/** How many times each text is shown on the page, whoever wrote it. */
async function shownCounts(page, texts) {
  const shown = await page.getByTestId('message-text').allTextContents();
  return Object.fromEntries(texts.map((t) => [t, shown.filter((s) => s === t).length]));
}

async function assertEachShownOnce(page, who, texts) {
  const counts = await shownCounts(page, texts);
  const wrong = Object.entries(counts).filter(([, n]) => n !== 1);
  assert(wrong.length === 0, `${who} shows ${JSON.stringify(Object.fromEntries(wrong))} (want each once)`);
}

async function scenario(browser, fleet) {
  const pageOf = async (who) => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`  # ${who} page error: ${e.message}`));
    // The page's timers run on a clock the test can stop, so "typed while
    // the server was down" stays true however fast the room comes back.
    await page.clock.install();
    return page;
  };
  const alice = await pageOf('alice');
  const aliceLookups = [];
  alice.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/rooms/')) aliceLookups.push(new URL(r.url()));
  });
  const bob = await pageOf('bob');
  const carol = await pageOf('carol');
  const base = fleet.baseUrl;

  await login(alice, base, ALICE);
  await login(bob, base, BOB);
  await alice.getByTestId('create-room').click();
  await alice.waitForURL(/\/room\/[^/]+$/, { timeout: TIMEOUT });
  const roomUrl = alice.url();
  await bob.goto(roomUrl);
  await bob.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
  await sendMessage(alice, BEFORE[0]);
  await waitForMessage(bob, ALICE, BEFORE[0]);
  await sendMessage(bob, BEFORE[1]);
  await waitForMessage(alice, BOB, BEFORE[1]);
  const lostHost = await connectedHost(alice);
  assert(lostHost && lostHost === (await connectedHost(bob)), 'alice and bob are not on one server');

  for (const p of [alice, bob]) await p.clock.pauseAt(await p.evaluate(() => Date.now()));
  const pid = await killSessionServer(fleet.adminUrl, lostHost);
  console.log(`  # killed the session server ${lostHost} (pid ${pid}) with SIGKILL`);
  for (const p of [alice, bob]) {
    await p.locator('[data-testid="connection-banner"][data-state="waiting"]').waitFor({ timeout: TIMEOUT });
  }
  // the conversation stays on screen through the outage
  await waitForMessage(alice, BOB, BEFORE[1]);

  await sendMessage(alice, ALICE_OUTAGE);
  await messages(alice, ALICE, ALICE_OUTAGE, 'queued').waitFor({ timeout: TIMEOUT });
  await sendMessage(bob, BOB_OUTAGE);
  await messages(bob, BOB, BOB_OUTAGE, 'queued').waitFor({ timeout: TIMEOUT });
  await alice.screenshot({ path: join(ARTIFACTS_DIR, 'failover-outage.png') });

  // Bob reloads: his message now lives only in the tab's sessionStorage.
  await bob.reload();
  await bob.clock.resume();
  await bob.getByTestId('room-page').or(bob.getByTestId('pending-note')).first().waitFor({ timeout: TIMEOUT });
  await alice.clock.resume();

  const aliceHost = await waitBackElsewhere(alice, lostHost);
  // alice's page told the backend which server it lost, so that server was probed at once
  const told = aliceLookups.some((u) => u.searchParams.get('unreachable') === lostHost);
  assert(told, `no look-up named the lost host: ${aliceLookups.map((u) => u.search).join(' ')}`);
  const bobHost = await waitBackElsewhere(bob, lostHost);
  console.log(`  # back on ${aliceHost} (alice) and ${bobHost} (bob)`);
  await alice.screenshot({ path: join(ARTIFACTS_DIR, 'failover-back.png') });

  for (const [p, who] of [
    [alice, 'alice'],
    [bob, 'bob'],
  ]) {
    await waitForMessage(p, ALICE, ALICE_OUTAGE, BACK_TIMEOUT_MS);
    await waitForMessage(p, BOB, BOB_OUTAGE, BACK_TIMEOUT_MS);
    const refused = await waitForOutboxSettled(p);
    assert(refused === 0, `${who} has ${refused} message(s) refused`);
  }

  await login(carol, base, CAROL);
  await carol.goto(roomUrl);
  await carol.getByTestId('room-page').waitFor({ timeout: TIMEOUT });
  await waitForMessage(carol, ALICE, BEFORE[0]); // history from before the crash
  await waitForMessage(carol, BOB, BEFORE[1]);
  await waitForMessage(carol, ALICE, ALICE_OUTAGE);
  await waitForMessage(carol, BOB, BOB_OUTAGE);
  await carol.screenshot({ path: join(ARTIFACTS_DIR, 'failover-newcomer.png') });

  const all = [...BEFORE, ALICE_OUTAGE, BOB_OUTAGE];
  await assertEachShownOnce(alice, 'alice', all);
  await assertEachShownOnce(bob, 'bob', all);
  await assertEachShownOnce(carol, 'carol', all);
}

const missing = missingServerFeatures();
if (missing) {
  skip(NAME, missing);
} else {
  const fleet = await startFleet({
    logDir: join(LOG_DIR, 'failover-sessions'),
    jwtSecret: process.env.JWT_SECRET || randomBytes(32).toString('base64'),
  });
  try {
    const chosen = await negotiatedSubprotocol(fleet.baseUrl);
    if (chosen !== 'scalable-chat.events.v2') {
      skip(NAME, `the session server chose "${chosen}" when offered scalable-chat.events.v2 (v2 not landed)`);
    } else {
      const browser = await launchChromium();
      try {
        await test(NAME, () => scenario(browser, fleet));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await fleet.stop();
  }
}
finish();
