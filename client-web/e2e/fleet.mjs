// The real servers of the failover test, on loopback: a private Redis, and a
// backend serving dist/ whose local fleet starts session servers that store
// history there. The session servers' pids come from their admin /status,
// so a test can SIGKILL the one holding a room.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../../tests/support/redis.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Resolved once: bazel-bin/ follows whatever Bazel built last.
const built = (p) => {
  try {
    return realpathSync(join(repoRoot, p));
  } catch {
    return join(repoRoot, p);
  }
};
export const SESSION_BIN = process.env.SESSION_BIN || built('bazel-bin/server/session/session');
export const BACKEND_BIN = process.env.BACKEND_BIN || built('bazel-bin/server/backend/backend');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// How long a process may take to come up: bounds a wait, decides no check.
const START_TIMEOUT_MS = 20_000;

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** What this build of the servers lacks for the failover test; null when nothing. */
export function missingServerFeatures() {
  const help = spawnSync(SESSION_BIN, ['--help'], { encoding: 'utf8' });
  if (help.error) return `no session server binary at ${SESSION_BIN} (bazel build //server:all)`;
  const text = `${help.stdout}${help.stderr}`;
  if (!text.includes('--redis')) {
    return 'the session server has no --redis flag (history in Redis, docs/PROTOCOL.md "History and failover")';
  }
  return null;
}

/**
 * Redis, then the backend with a local fleet of at least two session servers
 * (one to fail over to) that store history in it. Returns
 * { baseUrl, adminUrl, stop() }.
 */
export async function startFleet({ logDir, jwtSecret }) {
  mkdirSync(logDir, { recursive: true });
  const redis = await startRedis();
  const port = await freePort();
  const args = [
    '--port', String(port),
    '--static-dir', join(repoRoot, 'client-web', 'dist'),
    '--fleet', 'local',
    '--stop-fleet-on-exit',
    '--session-binary', SESSION_BIN,
    '--session-log-dir', logDir,
    `--session-arg=--redis=${redis.url}`,
    '--session-arg=--admission-exempt=127.0.0.0/8',
    '--min-servers', '2',
    '--admission-exempt', '127.0.0.0/8',
  ];
  const child = spawn(BACKEND_BIN, args, {
    env: { ...process.env, JWT_SECRET: jwtSecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.on('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited; // its session servers go with it (the local fleet stops them)
    await redis.stop();
  };
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    const adminUrl = await waitForAdminUrl(() => output, child);
    await waitFor('two ready session servers', async () => {
      const fleet = await getJson(`${adminUrl}/api/fleet`);
      return fleet.servers.filter((s) => s.state === 'ready').length >= 2;
    });
    return { baseUrl, adminUrl, redis, stop, output: () => output };
  } catch (err) {
    await stop();
    throw new Error(`${err.message}\n${output}`);
  }
}

async function waitForAdminUrl(output, child) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}`);
    const m = output().match(/backend: admin on (http:\/\/[\d.]+:\d+)/);
    if (m) return m[1];
    await sleep(50);
  }
  throw new Error('backend did not print its admin address');
}

async function waitFor(what, check) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/** SIGKILLs the session server at `host` (as the fleet lists it); its pid. */
export async function killSessionServer(adminUrl, host) {
  const fleet = await getJson(`${adminUrl}/api/fleet`);
  const server = fleet.servers.find((s) => s.host === host);
  if (!server || !server.adminHost) throw new Error(`no server ${host} in ${JSON.stringify(fleet.servers)}`);
  const { pid } = await getJson(`http://${server.adminHost}/status`);
  process.kill(pid, 'SIGKILL');
  return pid;
}
