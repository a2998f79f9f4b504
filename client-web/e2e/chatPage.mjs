// What a person does on the chat's pages, for the end-to-end scripts: log in,
// send, and wait for users and messages to be shown. Waits end on what the
// page shows, never on a fixed delay; E2E_TIMEOUT_MS only bounds them.
import { assert } from './harness.mjs';

export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 10_000);

export async function login(page, baseUrl, name) {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Username').fill(name);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('lobby-page').waitFor({ timeout: TIMEOUT });
  const who = await page.getByTestId('current-user').textContent();
  assert(who && who.includes(name), `header shows "${who}", expected ${name}`);
}

export async function waitForUsers(page, expected, timeoutMs = TIMEOUT) {
  const want = [...expected].sort().join(',');
  let got = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    got = (await page.getByTestId('user-pill').evaluateAll((els) => els.map((e) => e.getAttribute('data-user'))))
      .sort()
      .join(',');
    if (got === want) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`user list is [${got}], expected [${want}]`);
}

export async function sendMessage(page, text) {
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

/** The message bubbles with this author and text, of the given data-status (any when omitted). */
export function messages(page, author, text, status) {
  const state = status ? `[data-status="${status}"]` : '';
  return page
    .locator(`[data-testid="message"]${state}[data-author="${author}"]`)
    .filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });
}

/** Waits until a confirmed (data-status="sent") message with this author and text is shown. */
export async function waitForMessage(page, author, text, timeoutMs = TIMEOUT) {
  await messages(page, author, text, 'sent').first().waitFor({ timeout: timeoutMs });
}

/** Waits until none of the user's own messages is sending or queued; returns how many failed. */
export async function waitForOutboxSettled(page, timeoutMs = TIMEOUT) {
  const pending = page.locator('[data-testid="message"][data-status="sending"], [data-testid="message"][data-status="queued"]');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pending.count()) === 0) {
      return page.locator('[data-testid="message"][data-status="failed"]').count();
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`${await pending.count()} message(s) still pending`);
}
