// What both browser scripts share: Debian's Chromium through playwright-core
// (never a downloaded browser), where artifacts go, and a tiny runner that
// prints `ok - name` / `not ok - name` lines and `N passed, N failed`.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** The app's origin, without a trailing slash: $BASE_URL or the given default. */
export function baseUrl(fallback) {
  return (process.env.BASE_URL || fallback).replace(/\/+$/, '');
}

/** $ARTIFACTS_DIR (default `artifacts`), created if missing: screenshots go there. */
export function artifactsDir() {
  const dir = process.env.ARTIFACTS_DIR || 'artifacts';
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

let passed = 0;
let failed = 0;
let skipped = 0;

/** Runs one named check; a failure is printed with the first lines of its stack and counted. */
export async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}`);
    const lines = String(err && err.stack ? err.stack : err).split('\n').slice(0, 4);
    console.log(`  # ${lines.join('\n  # ')}`);
  }
}

/** A check that cannot run here, and why (what is missing): counted apart, never as passed. */
export function skip(name, reason) {
  skipped++;
  console.log(`ok - ${name} # SKIP ${reason}`);
}

/** Prints the totals and exits non-zero if a check failed. */
export function finish() {
  if (skipped > 0) console.log(`# ${skipped} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** How many pixels the page is wider than its window (0 or less: it fits). */
export function horizontalOverflowPx(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
