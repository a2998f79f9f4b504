// End-to-end tests of the load generator against the real stack at small
// scale: each scenario passes, and each check can fail (a session server
// configured for 50 users a room; a session server that drops deliveries).
// Builds nothing: run `bazel build //server:all //loadgen` first (or set
// LOADGEN_BIN, SESSION_BIN, BACKEND_BIN). Prints "N passed, N failed" last.
//   node tests/loadgen/loadgen_test.mjs [name-filter]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { SESSION_BIN, freePort, repoRoot, startBackend, startSession } from '../integration/harness.mjs';
import { startTlsProxy } from './tls_proxy.mjs';
import { startRedis } from '../support/redis.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// Resolved once: bazel-bin/ follows whatever Bazel built last.
const LOADGEN_BIN = process.env.LOADGEN_BIN ?? fs.realpathSync(path.join(repoRoot, 'bazel-bin/loadgen/loadgen'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loadgen-test-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs the loadgen to its end; resolves with its exit code, output and JSON report.
function loadgen(args, { interruptAfterMs } = {}) {
  const reportFile = path.join(tmp, `report-${Date.now()}-${Math.random()}.json`);
  return new Promise((resolve) => {
    const child = spawn(LOADGEN_BIN, [...args, '--report', reportFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (interruptAfterMs) setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
    child.on('exit', (code, signal) => {
      let report;
      try { report = JSON.parse(fs.readFileSync(reportFile, 'utf8')); } catch {}
      resolve({ code, signal, stdout, stderr, report });
    });
  });
}

// A load generator is a legitimate flood: the servers it drives exempt its
// address from admission control, as the README says to.
const EXEMPT = ['--admission-exempt', '127.0.0.0/8'];

// A backend in front of `sessions` static session servers (extra flags for
// them and for the backend), or of the given hosts.
async function stack({ sessions = 2, sessionArgs = [], backendArgs = [], hosts } = {}) {
  const servers = [];
  for (let i = 0; i < sessions; i++) {
    servers.push(await startSession({ args: ['--messages-per-second', '0', ...EXEMPT, ...sessionArgs] }));
  }
  const sessionHosts = hosts ?? servers.map((s) => s.host).join(',');
  const backend = await startBackend({ sessionHosts, args: [...EXEMPT, ...backendArgs] });
  return {
    target: backend.url,
    async stop() { await Promise.all([backend, ...servers].map((s) => s.stop())); },
  };
}

const check = (report, namePart) => report?.checks.find((c) => c.name.includes(namePart));

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
function expect(condition, message, result) {
  if (!condition) {
    const err = new Error(message);
    err.output = result ? `${result.stdout}\n${result.stderr}` : '';
    throw err;
  }
}

test('chat passes: 4 rooms x 50 bots, event subprotocol', async () => {
  const s = await stack();
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '4', '--users', '50',
      '--rate', '2', '--duration', '3', '--ramp', '1', '--p99-ms-max', '1000', '--error-rate-max', '0']);
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(r.report.passed && r.report.figures.deliveries_checked > 4 * 50 * 50, 'deliveries counted', r);
    expect(r.report.figures.bots_connected_peak === 200, 'all 200 bots connected', r);
    expect(/verdict: PASS/.test(r.stdout), 'table on stdout', r);
  } finally { await s.stop(); }
});

test('chat passes with --protocol v1 (events without acknowledgements)', async () => {
  const s = await stack({ sessions: 1 });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--protocol', 'v1', '--rooms', '2',
      '--users', '20', '--rate', '2', '--duration', '2', '--ramp', '1']);
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(r.report.scenario === 'chat (v1)', `scenario ${r.report.scenario}`, r);
    expect(r.report.figures.deliveries_checked > 2 * 20 * 20, 'deliveries counted', r);
    expect(r.report.figures.messages_acknowledged === undefined, 'no acknowledgements in v1', r);
  } finally { await s.stop(); }
});

test('--metrics-port serves the run and the process to Prometheus while it runs', async () => {
  const s = await stack();
  const port = await freePort();
  try {
    const run = loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '2', '--users', '10',
      '--rate', '2', '--duration', '4', '--ramp', '1', '--metrics-port', String(port)]);
    let text = '';
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && !/^loadgen_messages_delivered_total [1-9]/m.test(text)) {
      try { text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(); } catch {}
      await sleep(200);
    }
    const missing = await fetch(`http://127.0.0.1:${port}/nothing`).catch(() => null);
    const r = await run;
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(/^loadgen_messages_delivered_total [1-9]/m.test(text), `deliveries counted:\n${text}`, r);
    expect(/^loadgen_bots_connected /m.test(text), 'bots gauge', r);
    expect(/^loadgen_deliveries_missing 0$/m.test(text), `nothing lost:\n${text}`, r);
    expect(/^loadgen_deliveries_outstanding \d+$/m.test(text), 'deliveries owed', r);
    expect(/^loadgen_messages_lost 0$/m.test(text) && /^loadgen_deliveries_duplicate 0$/m.test(text),
      `v2 figures:\n${text}`, r);
    expect(/^loadgen_bots_reconnecting 0$/m.test(text) && /^loadgen_reconnect_seconds_count 0$/m.test(text),
      'the way back after lost connections', r);
    expect(/^process_open_fds /m.test(text), "the loadgen process's own figures", r);
    expect(missing?.status === 404, `404 for another path, got ${missing?.status}`, r);
  } finally { await s.stop(); }
});

test('https and wss: certificates verified with --ca-file, refused without it', async () => {
  // A self-signed certificate for 127.0.0.1, and TLS fronts for the backend and
  // the session server (which advertises the front's address).
  const key = path.join(tmp, 'key.pem');
  const cert = path.join(tmp, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const pem = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  const sessionPort = await freePort();
  const sessionFront = await startTlsProxy({ ...pem, targetPort: sessionPort });
  const frontHost = `127.0.0.1:${sessionFront.address().port}`;
  const session = await startSession({ port: sessionPort, args: ['--advertised-host', frontHost, '--messages-per-second', '0', ...EXEMPT], advertise: false });
  // The backend polls the session server through its TLS front too, trusting our CA.
  const backend = await startBackend({ sessionHosts: frontHost, args: ['--status-scheme', 'https', ...EXEMPT], env: { SSL_CERT_FILE: cert } });
  const backendFront = await startTlsProxy({ ...pem, targetPort: backend.port });
  const target = `https://127.0.0.1:${backendFront.address().port}`;
  try {
    const ok = await loadgen(['--target', target, '--ca-file', cert, '--scenario', 'chat', '--rooms', '2',
      '--users', '10', '--rate', '2', '--duration', '2', '--ramp', '1']);
    expect(ok.code === 0, `exit ${ok.code} over TLS with the CA`, ok);
    expect(ok.report.figures.deliveries_checked > 0, 'deliveries checked over wss', ok);
    const refused = await loadgen(['--target', target, '--scenario', 'chat', '--rooms', '1', '--users', '2',
      '--rate', '1', '--duration', '1', '--ramp', '1', '--timeout', '15']);
    expect(refused.code !== 0, 'an unverifiable certificate fails the run', refused);
  } finally {
    backendFront.close();
    sessionFront.close();
    await backend.stop();
    await session.stop();
  }
});

test('chat passes in compatibility mode (whole snapshots)', async () => {
  const s = await stack();
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--compat', '--rooms', '2',
      '--users', '30', '--rate', '2', '--duration', '3', '--ramp', '1']);
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(r.report.figures.deliveries_checked > 2 * 30 * 30, 'deliveries counted', r);
  } finally { await s.stop(); }
});

test('limits passes against the default limits', async () => {
  const s = await stack();
  try {
    // 1 full room + 12 rooms over 2 hosts of 10 rooms: both hosts must be used.
    const r = await loadgen(['--target', s.target, '--scenario', 'limits', '--rooms', '12']);
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(check(r.report, 'Room is full').status === 'PASS', 'room full seen', r);
    expect(check(r.report, 'Duplicate user').status === 'PASS', 'duplicate seen', r);
    expect(r.report.figures.distinct_hosts === 2, 'two hosts', r);
  } finally { await s.stop(); }
});

test('limits fails against a session server holding 50 users a room', async () => {
  const s = await stack({ sessions: 1, sessionArgs: ['--users-per-room-max', '50'] });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'limits', '--rooms', '2']);
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    const accepts = check(r.report, 'accepts exactly 100');
    expect(accepts.status === 'FAIL' && /50 of 100/.test(accepts.detail), accepts?.detail, r);
    expect(/\[FAIL\] a room accepts exactly 100 users/.test(r.stdout), 'table shows it', r);
  } finally { await s.stop(); }
});

test('limits fails when the backend packs more rooms on a host than allowed', async () => {
  // The backend told a server holds 20 rooms (and the server allowed 100).
  const s = await stack({ sessions: 1, sessionArgs: ['--rooms-max', '100'],
    backendArgs: ['--rooms-per-server', '20'] });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'limits', '--rooms', '12',
      '--room-users-max', '5']);
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    expect(check(r.report, 'no host holds more than 10').status === 'FAIL', 'spread failure', r);
    expect(check(r.report, 'distinct hosts').status === 'FAIL', 'host count failure', r);
  } finally { await s.stop(); }
});

// A local fleet's session servers outlive its backend (a restarted backend
// adopts them): their pids, from each one's own /status, to stop them too.
async function fleetPids(adminUrl) {
  const pids = [];
  try {
    const fleet = await (await fetch(`${adminUrl}/api/fleet`)).json();
    for (const server of fleet.servers ?? []) {
      if (!server.adminHost) continue;
      try {
        const status = await (await fetch(`http://${server.adminHost}/status`)).json();
        // Its own listener: a pid another server reports is not this one's.
        if (status.host === server.host && Number.isInteger(status.pid) && status.pid > 1) pids.push(status.pid);
      } catch {}  // gone already (the failover's kill)
    }
  } catch {}
  return pids;
}

async function stopWithFleet(backend) {
  const pids = await fleetPids(backend.adminUrl);
  await backend.stop();
  const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(100);
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

// The backend's local fleet: session servers started on demand, 2 rooms each.
async function localFleet() {
  const backend = await startBackend({ args: ['--fleet', 'local', '--session-binary', SESSION_BIN,
    '--rooms-per-server', '2', '--min-servers', '1', '--max-servers', '4',
    '--idle-before-stop', '1', '--empty-room-grace', '0', '--poll-interval-ms', '200',
    ...EXEMPT, '--session-arg=--admission-exempt=127.0.0.0/8'] });
  return { target: backend.url, adminTarget: backend.adminUrl, stop: () => stopWithFleet(backend) };
}

test('autoscale passes: a local fleet grows with rooms and shrinks when idle', async () => {
  const s = await localFleet();
  try {
    const r = await loadgen(['--target', s.target, '--admin-target', s.adminTarget,
      '--scenario', 'autoscale', '--rooms', '6', '--ramp', '2', '--idle-wait', '30']);
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(Number(r.report.figures.fleet_peak) >= 3, 'fleet grew to 3', r);
    expect(check(r.report, 'shrinks').status === 'PASS', 'fleet shrank', r);
  } finally { await s.stop(); }
});

test('autoscale fails when the fleet never grows (static fleet of one)', async () => {
  const s = await stack({ sessions: 1, sessionArgs: ['--rooms-max', '100'],
    backendArgs: ['--rooms-per-server', '100'] });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'autoscale', '--rooms', '4',
      '--ramp', '0.5', '--idle-wait', '1']);
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    expect(check(r.report, 'grows').status === 'FAIL', 'growth failure', r);
  } finally { await s.stop(); }
});

const KILL_BUSIEST = path.join(repoRoot, 'scripts/kill-busiest-server.sh');

// A local fleet of two session servers (2 rooms each) storing history in a
// private Redis: what the failover scenario needs.
async function failoverFleet(redis) {
  const backend = await startBackend({ args: ['--fleet', 'local', '--session-binary', SESSION_BIN,
    '--rooms-per-server', '2', '--min-servers', '2', '--max-servers', '4', '--poll-interval-ms', '200',
    ...EXEMPT, '--session-arg=--admission-exempt=127.0.0.0/8', `--session-arg=--redis=${redis.url}`] });
  return { target: backend.url, adminTarget: backend.adminUrl, stop: () => stopWithFleet(backend) };
}

test('failover: the busiest session server SIGKILLed; nothing lost or doubled, every bot back', async () => {
  const redis = await startRedis();
  const s = await failoverFleet(redis);
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'failover', '--rooms', '3', '--users', '20',
      '--rate', '1', '--duration', '10', '--ramp', '1', '--fault-at', '4', '--timeout', '180',
      '--fault-command', `${KILL_BUSIEST} ${s.adminTarget} --signal KILL`]);
    const f = r.report?.figures ?? {};
    // The verdict also holds the --failover-goal timing, a benchmark figure: not asserted here.
    expect(check(r.report, 'fault command succeeded')?.status === 'PASS', 'the kill ran', r);
    expect(/fault-command: killed local-\S+ .* with SIGKILL/.test(r.stderr), 'which server', r);
    expect(f.bots_disconnected > 0, `disconnected ${f.bots_disconnected}`, r);
    expect(f.bots_not_back === 0 && f.bots_back === f.bots_disconnected, `not back ${f.bots_not_back}`, r);
    expect(f.messages_lost === 0, `lost ${f.messages_lost}`, r);
    expect(f.deliveries_duplicate === 0, `duplicates ${f.deliveries_duplicate}`, r);
    expect(f.deliveries_missing === 0 && f.deliveries_late === 0, 'every delivery, in order', r);
    expect(f.history_snapshots_checked > 0 && f.history_missing === 0, `history missing ${f.history_missing}`, r);
    expect(f.messages_acknowledged > 0, 'messages acknowledged', r);
  } finally {
    await s.stop();
    await redis.stop();
  }
});

test('failover: a fault that disconnects no bot fails the run, and a bad command says why', async () => {
  const s = await stack({ sessions: 1 });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'failover', '--rooms', '1', '--users', '5',
      '--duration', '3', '--ramp', '0.5', '--fault-at', '1', '--fault-command', 'true']);
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    const hit = check(r.report, 'disconnected at least one bot');
    expect(hit.status === 'FAIL' && /no bot lost its connection/.test(hit.detail), hit?.detail, r);
    const bad = await loadgen(['--target', s.target, '--scenario', 'failover', '--rooms', '1', '--users', '2',
      '--duration', '2', '--ramp', '0.5', '--fault-at', '1', '--fault-command', 'no-such-fault-program']);
    const ran = check(bad.report, 'fault command succeeded');
    expect(bad.code === 1 && ran.status === 'FAIL' && /exited with 127.*not found/.test(ran.detail), ran?.detail, bad);
    expect(bad.report.figures.fault_command_exit_code === 127, 'exit code in the report', bad);
    const missing = await loadgen(['--target', s.target, '--scenario', 'failover']);
    expect(missing.code === 2 && /--fault-command/.test(missing.stderr), 'the command is required', missing);
  } finally { await s.stop(); }
});

test('kill-busiest-server.sh: usage errors exit 2, an unreachable backend 1, each saying why', async () => {
  const run = (args) => new Promise((resolve) => {
    const child = spawn(KILL_BUSIEST, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, stdout: output, stderr: '' }));
  });
  const none = await run([]);
  expect(none.code === 2 && /Usage/.test(none.stdout), 'usage', none);
  const scheme = await run(['ftp://x']);
  expect(scheme.code === 2 && /http:\/\//.test(scheme.stdout), 'scheme', scheme);
  const port = await freePort();
  const gone = await run([`http://127.0.0.1:${port}`]);
  expect(gone.code === 1 && /no answer from http:\/\/127\.0\.0\.1:\d+\/api\/fleet/.test(gone.stdout), 'unreachable', gone);
});

test('--processes 2: workers split the rooms, one merged report and verdict', async () => {
  const s = await stack();
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '5', '--users', '20',
      '--rate', '2', '--duration', '3', '--ramp', '1', '--processes', '2', '--p99-ms-max', '1000']);
    const f = r.report?.figures ?? {};
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(f.processes === 2 && f.rooms_created === 5 && f.bots_connected_peak === 100, 'every bot, once', r);
    // Every member of a room (its sender too, the echo) gets every message: rooms never span workers.
    expect(f.deliveries_checked === f.messages_sent * 20 && f.deliveries_missing === 0,
      `deliveries ${f.deliveries_checked} for ${f.messages_sent} messages`, r);
    expect(check(r.report, 'every worker process reported').status === 'PASS', 'workers reported', r);
    expect(check(r.report, 'p99').status === 'PASS', 'threshold judged on the merged figures', r);
    expect(r.report.raw?.latency?.buckets?.length > 0, 'the merged histogram, for merging again', r);
    expect((r.stdout.match(/verdict:/g) ?? []).length === 1, 'one table on stdout', r);
  } finally { await s.stop(); }
});

test('--processes 2: SIGINT stops every worker; the merged partial report exits 1', async () => {
  const s = await stack({ sessions: 1 });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '2', '--users', '10',
      '--duration', '60', '--ramp', '0.2', '--processes', '2'], { interruptAfterMs: 2500 });
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    expect(/STOPPED: interrupted/.test(r.stdout) && r.report.stopped_by.includes('SIGINT'), 'partial report', r);
    expect(check(r.report, 'every worker process reported').status === 'PASS', 'both workers reported', r);
    // A failed run keeps the workers' reports and logs, and says where.
    const kept = /kept in (\/tmp\/loadgen-workers\.\w+)/.exec(r.stderr)?.[1];
    expect(kept && fs.existsSync(`${kept}/worker-1.json`), 'the workers\' reports kept', r);
    fs.rmSync(kept, { recursive: true, force: true });
  } finally { await s.stop(); }
});

test('--processes: refused, saying why, where rooms cannot be split', async () => {
  const target = 'http://127.0.0.1:9';
  const limits = await loadgen(['--target', target, '--scenario', 'limits', '--processes', '2']);
  expect(limits.code === 2 && /chat and failover only/.test(limits.stderr), 'limits refused', limits);
  const few = await loadgen(['--target', target, '--scenario', 'chat', '--rooms', '1', '--processes', '2']);
  expect(few.code === 2 && /a room never spans two processes/.test(few.stderr), 'too few rooms', few);
});

test('failover with --processes 2: one worker runs the fault, all are checked together', async () => {
  const redis = await startRedis();
  const s = await failoverFleet(redis);
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'failover', '--rooms', '4', '--users', '10',
      '--rate', '1', '--duration', '10', '--ramp', '1', '--fault-at', '4', '--timeout', '180',
      '--processes', '2', '--fault-command', `${KILL_BUSIEST} ${s.adminTarget} --signal KILL`]);
    const f = r.report?.figures ?? {};
    expect(check(r.report, 'fault command succeeded')?.status === 'PASS', 'the kill ran', r);
    expect((r.stderr.match(/fault: running/g) ?? []).length === 1, 'the command ran once', r);
    expect(check(r.report, 'disconnected at least one bot')?.status === 'PASS', 'someone disconnected', r);
    expect(f.bots_disconnected > 0 && f.bots_not_back === 0 && f.bots_back === f.bots_disconnected,
      `disconnected ${f.bots_disconnected}, back ${f.bots_back}`, r);
    expect(f.messages_lost === 0 && f.deliveries_duplicate === 0 && f.deliveries_missing === 0,
      'nothing lost, doubled or missing', r);
    expect(r.report.raw?.reconnect_us?.length === f.bots_back, 'every reconnect time pooled', r);
  } finally {
    await s.stop();
    await redis.stop();
  }
});

test('replay passes: a CSV trace, 20x faster', async () => {
  const s = await stack();
  try {
    // The trace format (trace/FORMAT.md).
    const lines = ['# stateful-routing chat trace, format 1', 'time_ms,event,room,user,bytes',
      '0,create,r1,alice,', '0,create,r2,carol,'];
    for (const [i, user] of ['alice', 'bob', 'dave'].entries()) lines.push(`${100 + i},join,r1,${user},`);
    lines.push('105,join,r2,carol,', '110,join,r2,alice,');
    for (let t = 1000; t < 5000; t += 100) {
      lines.push(`${t},message,r1,${['alice', 'bob', 'dave'][(t / 100) % 3]},60`);
      lines.push(`${t},message,r2,carol,200`);
    }
    lines.push('5000,leave,r1,bob,', '5100,message,r1,alice,10', '6000,leave,r1,alice,');
    const trace = path.join(tmp, 'trace.csv');
    fs.writeFileSync(trace, lines.join('\n') + '\n');
    const r = await loadgen(['--target', s.target, '--scenario', 'replay', '--trace', trace, '--speed', '20']);
    expect(r.code === 0, `exit ${r.code}`, r);
    expect(r.report.figures.deliveries_checked >= 40 * 3 + 40 * 2, 'deliveries checked', r);
  } finally { await s.stop(); }
});

test('chat fails against a session server that drops every 10th delivery', async () => {
  const port = await freePort();
  const lossy = spawn(process.execPath, [path.join(here, 'lossy_session.mjs'), '--port', String(port)],
    { stdio: 'ignore' });
  await sleep(400);
  const s = await stack({ sessions: 0, hosts: `127.0.0.1:${port}` });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '2', '--users', '10',
      '--rate', '2', '--duration', '2', '--ramp', '0.5', '--drain', '1']);
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    const delivered = check(r.report, 'every message delivered');
    expect(delivered.status === 'FAIL' && r.report.figures.deliveries_missing > 0, delivered?.detail, r);
  } finally {
    await s.stop();
    lossy.kill();
  }
});

test('thresholds: --p99-ms-max missed gives a non-zero exit', async () => {
  const s = await stack({ sessions: 1 });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '1', '--users', '20',
      '--rate', '2', '--duration', '1', '--ramp', '0.2', '--p99-ms-max', '0.000001']);
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    expect(check(r.report, 'p99').status === 'FAIL', 'p99 check failed', r);
  } finally { await s.stop(); }
});

test('SIGINT prints the partial report and exits non-zero', async () => {
  const s = await stack({ sessions: 1 });
  try {
    const r = await loadgen(['--target', s.target, '--scenario', 'chat', '--rooms', '1', '--users', '10',
      '--duration', '60', '--ramp', '0.2'], { interruptAfterMs: 1500 });
    expect(r.code === 1, `exit ${r.code}, wanted 1`, r);
    expect(/STOPPED: interrupted/.test(r.stdout) && r.report.stopped_by.includes('SIGINT'), 'partial report', r);
  } finally { await s.stop(); }
});

test('--target is required and must be a URL', async () => {
  const r1 = await loadgen(['--scenario', 'chat']);
  expect(r1.code !== 0 && /--target/.test(r1.stderr), 'missing target refused', r1);
  const r2 = await loadgen(['--scenario', 'chat', '--target', 'ftp://x']);
  expect(r2.code === 2 && /http:\/\/ or https:\/\//.test(r2.stderr), 'bad target refused', r2);
});

const filter = process.argv[2];
let passed = 0, failed = 0;
for (const { name, fn } of tests) {
  if (filter && !name.includes(filter)) continue;
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err.message}\n${err.output ?? err.stack}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
