// Screenshots of every page against a mocked API and session server (inside
// the browser: page.route + page.routeWebSocket), so the UI can be checked
// without our servers, and states the real ones make hard to reach on cue
// (a refusal, a message held in flight, a reconnect) are checked every time.
// Anything that serves dist/ will do: tests/browser/run.sh uses our backend;
// by hand, e.g.:
//   npx vite preview --port 4173 --host 127.0.0.1 &
//   BASE_URL=http://127.0.0.1:4173 ARTIFACTS_DIR=/tmp/shots node e2e/mock-screens.mjs
import { join } from 'node:path';
import {
  artifactsDir,
  baseUrl,
  finish,
  horizontalOverflowPx,
  launchChromium,
  test as check,
} from './harness.mjs';

const BASE_URL = baseUrl('http://127.0.0.1:4173');
const OUT = artifactsDir();
// The page's clock starts here (and runs), so the times in the screenshots are
// the same on every run; a check can pause it to keep a countdown still.
const PAGE_CLOCK_START = new Date(Date.UTC(2024, 0, 1, 12, 5));

const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const tokenFor = (userId) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ userId, iat: 1 })}.sig`;

/** A client frame as {id, msg}: v2's JSON object, or v1's bare text (no id). */
function parseClientFrame(frame) {
  try {
    const v = JSON.parse(frame);
    if (v && typeof v.id === 'string' && typeof v.msg === 'string') return v;
  } catch {}
  return { msg: frame };
}

const browser = await launchChromium();

async function mockedPage(viewport, { apiUp = true } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.clock.install({ time: PAGE_CLOCK_START });
  page.on('pageerror', (e) => console.log(`  # page error: ${e.message}`));
  const sockets = [];
  const framesFromPage = [];
  // API down: refused here, so whatever serves the page (Vite or our backend) is never asked
  if (!apiUp) await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  if (apiUp) {
    await page.route('**/api/**', async (route) => {
      const url = new URL(route.request().url());
      const json = (status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
      if (url.pathname === '/api/login') {
        const { userId } = JSON.parse(route.request().postData() || '{}');
        if (userId === 'taken\u0007') return json(400, { error: 'userId must not contain control characters' });
        return json(200, { token: tokenFor(userId) });
      }
      if (url.pathname === '/api/rooms') return json(200, { roomId: 'k3x9q2mw7z' });
      if (url.pathname.startsWith('/api/rooms/')) {
        const id = decodeURIComponent(url.pathname.slice('/api/rooms/'.length));
        if (id === 'nope') return json(200, { host: null, token: null });
        return json(200, { host: 'mock-session:8000', token: 'sess' });
      }
      return json(404, { error: 'no such route' });
    });
    await page.routeWebSocket(/mock-session:8000/, (ws) => {
      sockets.push(ws);
      const t = (m) => new Date(Date.UTC(2024, 0, 1, 12, m)).toISOString();
      ws.send(JSON.stringify({
        type: 'snapshot', roomId: 'k3x9q2mw7z',
        messages: [
          { userId: 'bob', msg: 'hi alice 👋', ts: t(1) },
          { userId: 'alice', msg: 'hello bob, from a real browser', ts: t(2) },
          { userId: 'bob', msg: 'multi-line\nmessages work too', ts: t(3) },
        ],
        connectedUsers: ['alice', 'bob', 'carol'],
        limits: { maxUsers: 100, maxMessageLength: 1000, historyMessages: 100, messagesPerSecond: 10 },
      }));
      ws.onMessage((frame) => {
        // The mocked upgrade echoes the first subprotocol offered (v2), so the
        // page sends {id, msg}; a bare text frame is answered as v1.
        const { id, msg: text } = parseClientFrame(frame);
        framesFromPage.push({ id, text });
        const withId = id === undefined ? {} : { id };
        if (text === 'refuse me') {
          const message = 'Too many messages: at most 10 a second';
          ws.send(JSON.stringify({ type: 'error', code: 'rate_limited', message, ...withId }));
        } else if (text !== 'hold me') {
          const ts = PAGE_CLOCK_START.toISOString();
          ws.send(JSON.stringify({ type: 'message', userId: 'alice', msg: text, ts, ...withId }));
        }
      });
    });
  }
  return { context, page, sockets, framesFromPage };
}

try {
  {
    const { page, context } = await mockedPage({ width: 1000, height: 800 }, { apiUp: false });
    await check('login page (API absent)', async () => {
      await page.goto(`${BASE_URL}/`);
      await page.getByTestId('login-page').waitFor();
      await page.getByLabel('Username').fill('   ');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor();
      await page.screenshot({ path: join(OUT, 'login.png') });
    });
    await check('lobby (API absent)', async () => {
      await page.evaluate((t) => localStorage.setItem('scalable-chat.token', t), tokenFor('alice'));
      await page.goto(`${BASE_URL}/`);
      await page.getByTestId('lobby-page').waitFor();
      await page.screenshot({ path: join(OUT, 'lobby.png') });
    });
    await check('room while the API is down: retrying state', async () => {
      await page.goto(`${BASE_URL}/room/abc`);
      await page.locator('[data-testid="room-status"][data-state="waiting"]').waitFor();
      await page.screenshot({ path: join(OUT, 'room-waiting.png') });
    });
    await check('404 page', async () => {
      await page.goto(`${BASE_URL}/x/y`);
      await page.getByTestId('page-not-found').waitFor();
      await page.screenshot({ path: join(OUT, 'not-found.png') });
    });
    await context.close();
  }
  for (const [label, viewport] of [['desktop', { width: 1000, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
    const { page, context, sockets, framesFromPage } = await mockedPage(viewport);
    await check(`${label}: login, create room, chat`, async () => {
      await page.goto(`${BASE_URL}/`);
      await page.getByLabel('Username').fill('alice');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('lobby-page').waitFor();
      if (label === 'phone') await page.screenshot({ path: join(OUT, `lobby-${label}.png`) });
      await page.getByTestId('create-room').click();
      await page.getByTestId('room-page').waitFor();
      const input = page.getByLabel('Message', { exact: true });
      await input.fill('x'.repeat(1010));
      const len = (await input.inputValue()).length;
      if (len > 1000) throw new Error(`textarea accepted ${len} characters`);
      await input.fill('line one');
      await input.press('Shift+Enter');
      await input.pressSequentially('line two');
      await input.press('Enter');
      await page.locator('[data-testid="message"][data-status="sent"]', { hasText: 'line two' }).waitFor();
      await input.fill('refuse me');
      await input.press('Enter');
      await page.locator('[data-testid="message"][data-status="failed"]').waitFor();
      await input.fill('hold me');
      await input.press('Enter');
      await page.locator('[data-testid="message"][data-status="sending"]').waitFor();
      // the mocked server chose v2: every message went out as {id, msg}, each id new
      const ids = framesFromPage.map((f) => f.id);
      if (ids.some((id) => !/^[a-z0-9]+-\d+$/.test(id ?? ''))) throw new Error(`frames without ids: ${ids}`);
      if (new Set(ids).size !== ids.length) throw new Error(`an id sent twice: ${ids}`);
      const users = await page.getByTestId('user-pill').evaluateAll((els) => els.map((e) => e.dataset.user));
      if (users.join() !== 'alice,bob,carol') throw new Error(`users ${users}`);
      await page.screenshot({ path: join(OUT, `room-${label}.png`) });
      const overflow = await horizontalOverflowPx(page);
      if (overflow > 0) throw new Error(`page ${overflow}px wider than the screen`);
    });
    await check(`${label}: server goes away -> reconnect banner, pending kept`, async () => {
      // With the clock still, the automatic retry (0.5 to 1 s later) cannot
      // beat the click on "Reconnect now", however slow this machine is.
      await page.clock.pauseAt(await page.evaluate(() => Date.now()));
      sockets[0].close({ code: 1001, reason: 'Server shutting down' });
      await page.getByTestId('connection-banner').waitFor();
      const heldMessage = (status) =>
        page.locator(`[data-testid="message"][data-status="${status}"]`, { hasText: 'hold me' });
      await heldMessage('queued').waitFor();
      await page.screenshot({ path: join(OUT, `room-reconnecting-${label}.png`) });
      await page.getByTestId('connection-banner').getByRole('button', { name: 'Reconnect now' }).click();
      // the banner says the room is back (and stays while the clock is paused)
      await page.locator('[data-testid="connection-banner"][data-state="back"]').waitFor();
      await page.screenshot({ path: join(OUT, `room-back-${label}.png`) });
      // what was in flight is written again on the new connection
      await heldMessage('sending').waitFor();
      await page.clock.resume();
    });
    await check(`${label}: unknown room shows Room Not Found`, async () => {
      await page.goto(`${BASE_URL}/room/nope`);
      await page.locator('[data-testid="room-status"][data-state="not-found"]').waitFor();
      if (label === 'desktop') await page.screenshot({ path: join(OUT, 'room-not-found.png') });
    });
    await context.close();
  }
} finally {
  await browser.close();
}
finish();
