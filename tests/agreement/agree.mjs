// Agreement between the simulator and the real stack on one trace: replays
// the trace with the load generator against a real backend running a local
// fleet (real session-server processes, the real autoscaler), with time
// compressed --speed times and every timeout scaled alike; runs the
// simulator on the same trace with the same settings; prints the figures
// side by side with their relative differences, and where they differ by
// more than the goal (5%), which assumption of the simulator's differs.
//
//   tests/agreement/agree.sh --trace FILE [--speed 10] [--policy best-fit] ...
//   node tests/agreement/agree.mjs --help
//
// The real side's figures: servers in use sampled from the backend's
// /metrics (chat_scheduler_servers{state}) every --sample-ms of wall time;
// creations placed on a starting server from chat_scheduler_placements_total;
// refusals from the load generator's report; each room's wait (creation to
// its first member in) from the trace the backend and session servers record
// of the replay itself (--record-trace), merged with //trace:merge. Exit 0
// with a report (whatever the differences: that is a measurement), 1 when a
// side could not run, 2 on bad usage.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const GOAL = 0.05;

// Settings in the simulator's units (trace time). The real backend gets the
// durations divided by --speed, so each must divide into whole seconds.
const DEFAULTS = {
  trace: '',
  speed: 10,
  policy: 'best-fit',
  'rooms-per-server': 4,
  'users-per-room': 100,
  'min-servers': 1,
  'max-servers': 10,
  'spare-room-slots': 0,
  'idle-before-stop': 60,
  'join-deadline': 60,
  'server-start-timeout': 30,
  'poll-interval-ms': 1000,
  // The simulator's client asks again this soon when told its room's server
  // is starting; a real look-up waits for the server instead, so: small.
  'lookup-retry-ms': 100,
  seed: 1,
  'sample-ms': 20,
  out: '',
  json: '',
};

const USAGE = `usage: agree.mjs --trace FILE [--speed N] [--policy P] [--rooms-per-server N]
    [--users-per-room N] [--min-servers N] [--max-servers N] [--spare-room-slots N]
    [--idle-before-stop S] [--join-deadline S] [--server-start-timeout S]
    [--poll-interval-ms MS]
    [--lookup-retry-ms MS] [--seed N] [--sample-ms MS] [--out DIR] [--json FILE]
Durations are the trace's (the simulator's); the real backend gets them divided
by --speed, so idle-before-stop, join-deadline and server-start-timeout must be multiples
of it. BIN: the built binaries (default: bazel-bin). Defaults: ${JSON.stringify(DEFAULTS)}`;

function parseArgs(argv) {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    let [name, value] = argv[i].replace(/^--/, '').split(/=(.*)/s);
    if (name === 'help' || name === 'h') return { help: true };
    if (!(name in DEFAULTS)) throw new Error(`unknown flag --${name}`);
    if (value === undefined) value = argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    options[name] = typeof DEFAULTS[name] === 'number' ? Number(value) : value;
    if (Number.isNaN(options[name])) throw new Error(`--${name}: not a number: ${value}`);
  }
  if (!options.trace) throw new Error('--trace FILE is required');
  for (const name of ['idle-before-stop', 'join-deadline', 'server-start-timeout']) {
    const wall = options[name] / options.speed;
    if (!Number.isInteger(wall) || (wall < 1 && name !== 'idle-before-stop')) {
      throw new Error(`--${name} ${options[name]} s at --speed ${options.speed} is ${wall} s for ` +
        'the real backend, which takes whole seconds: make it a multiple of the speed');
    }
  }
  if (options['poll-interval-ms'] / options.speed < 50) {
    throw new Error('--poll-interval-ms / --speed is below the backend\'s 50 ms minimum');
  }
  return options;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function binaries() {
  const root = process.env.BIN ?? fs.realpathSync(path.join(repoRoot, 'bazel-bin'));
  const bin = {
    backend: path.join(root, 'server/backend/backend'),
    session: path.join(root, 'server/session/session'),
    loadgen: path.join(root, 'loadgen/loadgen'),
    sim: path.join(root, 'sim/sim'),
    merge: path.join(root, 'trace/merge'),
  };
  for (const [name, file] of Object.entries(bin)) {
    if (!fs.existsSync(file)) {
      throw new Error(`${name} not built at ${file}: run tests/agreement/agree.sh, or bazel build ` +
        '//server/backend:backend //server/session:session //loadgen //sim //trace:merge');
    }
  }
  return bin;
}

// Prometheus text -> [{name, labels, value}].
function parseMetrics(text) {
  const series = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[key] = value;
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return series;
}

const sum = (series, name, where = () => true) =>
  series.filter((s) => s.name === name && where(s.labels)).reduce((a, s) => a + s.value, 0);

// The servers the simulator counts as in use: starting, ready or draining.
const serversInUse = (series) =>
  sum(series, 'chat_scheduler_servers', (l) => ['starting', 'ready', 'draining'].includes(l.state));

function run(file, args, what) {
  const result = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    throw new Error(`${what} exited with ${result.status}: ${(result.stderr || '').slice(-2000)}`);
  }
  return result;
}

function runAsync(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function simulate(bin, options, startDelayMs, dir) {
  const json = path.join(dir, 'sim.json');
  const args = [`--seed=${options.seed}`, `--trace=${options.trace}`, `--policies=${options.policy}`,
    `--rooms-per-server=${options['rooms-per-server']}`, `--users-per-room=${options['users-per-room']}`,
    `--min-servers=${options['min-servers']}`, `--max-servers=${options['max-servers']}`,
    `--spare-room-slots=${options['spare-room-slots']}`,
    `--idle-before-stop=${options['idle-before-stop']}`,
    `--join-deadline=${options['join-deadline']}`,
    `--server-start-timeout=${options['server-start-timeout']}`,
    // As the real backend below is told: an emptied room frees its slot at once.
    '--empty-room-grace=0',
    `--poll-interval-ms=${options['poll-interval-ms']}`,
    `--tick-interval-ms=${options['poll-interval-ms']}`,
    `--lookup-retry-ms=${options['lookup-retry-ms']}`,
    `--start-delay-ms-min=${startDelayMs}`, `--start-delay-ms-max=${startDelayMs}`,
    // The local fleet's servers do not crash on their own.
    '--crash-rate=0', `--json=${json}`];
  run(bin.sim, args, 'the simulator');
  return { args, report: JSON.parse(fs.readFileSync(json, 'utf8')).runs[0] };
}

// Samples the backend's /metrics until stopped: [{ms, inUse}], wall time.
function startSampler(adminUrl, everyMs, t0) {
  const samples = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const asked = Date.now();
      try {
        const text = await (await fetch(`${adminUrl}/metrics`)).text();
        samples.push({ ms: asked - t0, inUse: serversInUse(parseMetrics(text)) });
      } catch { /* the backend is starting or stopping: no sample */ }
      await sleep(Math.max(0, everyMs - (Date.now() - asked)));
    }
  })();
  return { samples, stop: async () => { stopped = true; await done; } };
}

// Servers in use as a step function from the samples: peak and integral
// over [0, windowMs] (wall), the value before the first sample being the first.
function integrate(samples, windowMs) {
  let peak = 0;
  let area = 0;
  for (let i = 0; i < samples.length && samples[i].ms < windowMs; i++) {
    const from = i === 0 ? 0 : samples[i].ms;
    const to = Math.min(windowMs, i + 1 < samples.length ? samples[i + 1].ms : windowMs);
    area += samples[i].inUse * Math.max(0, to - from);
    peak = Math.max(peak, samples[i].inUse);
  }
  return { peak, serverMs: area };
}

function readTrace(file) {
  const events = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('time_ms')) continue;
    const [time, kind, room, user, bytes] = line.replace(/\r$/, '').split(',');
    events.push({ ms: Number(time), kind, room, user, bytes });
  }
  return events;
}

// Nearest rank, as the simulator computes it.
function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
}

// Each room's creation and first join (ms), rooms in order of creation.
function firstJoins(events) {
  const rooms = [];
  const open = new Map();
  for (const event of events) {
    if (event.kind === 'create' && !open.has(event.room)) {
      const room = { created: event.ms, joined: null };
      rooms.push(room);
      open.set(event.room, room);
    } else if (event.kind === 'join' && open.has(event.room)) {
      const room = open.get(event.room);
      if (room.joined === null) room.joined = event.ms;
    }
  }
  // Rooms created in the same millisecond are paired with the input's by
  // the order their first members came in: which of them the replay created
  // first is chance.
  return rooms.filter((room) => room.joined !== null)
    .sort((a, b) => a.created - b.created || a.joined - b.joined);
}

// Pairs real creations (trace ms) with the input's: a creation recorded
// within 200 ms of wall time of an input one is that one, granted when
// asked; the rest were refused at first (the loadgen asks again after a
// 503, 0.5 to 2 s of wall time apart), or are retries granted later.
function matchCreations(granted, asked, speed) {
  const toleranceMs = 200 * speed;
  const origin = granted.length && asked.length ? granted[0] - asked[0] : 0;
  const pairs = [];
  for (let i = 0, j = 0; i < asked.length && j < granted.length;) {
    const late = granted[j] - origin - asked[i];
    if (Math.abs(late) <= toleranceMs) {
      pairs.push([j++, i++]);
    } else if (late < 0) {
      ++j;  // a retry granted, for an earlier room
    } else {
      ++i;  // this room was refused when asked
    }
  }
  return pairs;
}

// From the trace the servers recorded of the replay: each room's wait from
// its creation to its first member in (trace ms), with how much later that
// came than in the input trace for the same room; and the replay's lag
// behind the input (creation times, paired).
function roomWaits(recorded, input, speed) {
  const real = firstJoins(recorded);
  const wanted = firstJoins(input);
  const rooms = [];
  const lags = [];
  const pairs = matchCreations(real.map((r) => r.created * speed), wanted.map((r) => r.created), speed);
  for (const [j, i] of pairs) {
    const wait = (real[j].joined - real[j].created) * speed;
    rooms.push({ wait, late: wait - (wanted[i].joined - wanted[i].created) });
    lags.push((real[j].created - real[0].created) * speed - (wanted[i].created - wanted[0].created));
  }
  return { rooms, lagMs: percentile(lags.sort((x, y) => x - y), 0.5) };
}

// Creations of the trace the real backend did not grant when asked, in
// rooms as the simulator counts them (the backend's own count of refusals
// is per request, the loadgen's retries included).
function creationsRefused(recorded, input, speed) {
  const asked = input.filter((e) => e.kind === 'create').map((e) => e.ms);
  const granted = recorded.filter((e) => e.kind === 'create').map((e) => e.ms * speed);
  return asked.length - matchCreations(granted, asked, speed).length;
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The real side: backend + local fleet + the loadgen's replay, sampled
// for `windowMs` of trace time.
async function replayForReal(bin, options, windowMs, dir) {
  const speed = options.speed;
  const [port, adminPort] = [await freePort(), await freePort()];
  const recordDir = path.join(dir, 'recorded');
  fs.mkdirSync(recordDir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const backendArgs = [`--port=${port}`, `--admin-port=${adminPort}`, '--fleet=local',
    `--session-binary=${bin.session}`, `--policy=${options.policy}`,
    `--rooms-per-server=${options['rooms-per-server']}`,
    `--min-servers=${options['min-servers']}`, `--max-servers=${options['max-servers']}`,
    `--spare-room-slots=${options['spare-room-slots']}`,
    `--idle-before-stop=${options['idle-before-stop'] / speed}`,
    `--join-deadline=${options['join-deadline'] / speed}`,
    `--server-start-timeout=${options['server-start-timeout'] / speed}`,
    `--poll-interval-ms=${Math.round(options['poll-interval-ms'] / speed)}`,
    // The simulated servers keep no emptied room, and the simulator above
    // frees its slot at once: so here too.
    '--empty-room-grace=0', '--session-arg=--empty-room-ttl=0',
    `--session-arg=--users-per-room-max=${options['users-per-room']}`,
    // The replay sends the trace's messages --speed times faster.
    '--session-arg=--messages-per-second=0',
    '--admission-exempt=127.0.0.0/8', '--session-arg=--admission-exempt=127.0.0.0/8',
    `--session-log-dir=${path.join(dir, 'logs')}`, '--stop-fleet-on-exit',
    `--record-trace=${path.join(recordDir, 'backend.trace')}`,
    `--session-arg=--record-trace=${path.join(recordDir, 'session-%p.trace')}`];
  const env = { ...process.env, JWT_SECRET: 'agreement-run-secret-of-at-least-32-bytes!' };
  const backendLog = fs.openSync(path.join(dir, 'backend.log'), 'w');
  const backend = spawn(bin.backend, backendArgs, { env, stdio: ['ignore', backendLog, backendLog] });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    await waitFor('the backend and its minimum of ready servers', async () => {
      const series = parseMetrics(await (await fetch(`${adminUrl}/metrics`)).text());
      return sum(series, 'chat_scheduler_servers', (l) => l.state === 'ready') >= options['min-servers'];
    }, 30000);
    const t0 = Date.now();
    const sampler = startSampler(adminUrl, options['sample-ms'], t0);
    const report = path.join(dir, 'loadgen.json');
    // Not spawnSync: the sampler runs on this event loop meanwhile.
    const loadgen = await runAsync(bin.loadgen, [`--target=http://127.0.0.1:${port}`,
      '--scenario=replay', `--trace=${options.trace}`, `--speed=${speed}`, `--report=${report}`,
      '--drain=1', `--timeout=${Math.ceil(windowMs / speed / 1000) + 60}`]);
    fs.writeFileSync(path.join(dir, 'loadgen.out'), `${loadgen.stdout}\n${loadgen.stderr}`);
    // The simulator's window goes on after the trace's end (rooms freed,
    // idle servers stopped): the real one is sampled as long.
    await sleep(Math.max(0, windowMs / speed - (Date.now() - t0)) + 200);
    await sampler.stop();
    const metrics = parseMetrics(await (await fetch(`${adminUrl}/metrics`)).text());
    fs.writeFileSync(path.join(dir, 'servers.csv'), `wall_ms,trace_ms,servers_in_use\n${
      sampler.samples.map((x) => `${x.ms},${x.ms * speed},${x.inUse}`).join('\n')}\n`);
    if (!fs.existsSync(report)) throw new Error(`the loadgen wrote no report: ${loadgen.stderr.slice(-2000)}`);
    return { samples: sampler.samples, metrics, loadgen: JSON.parse(fs.readFileSync(report, 'utf8')),
      backendArgs };
  } finally {
    backend.kill('SIGTERM');
    await new Promise((resolve) => (backend.exitCode !== null ? resolve() : backend.on('exit', resolve)));
    fs.closeSync(backendLog);
  }
}

// The loadgen's error kinds, by the simulator's reasons.
const JOIN_REASONS = {
  unknown_room: ['lookup_no_host'],
  no_capacity: ['lookup_http_503'],
  room_full: ['ws_close_1008'],  // also "Duplicate user": the simulator's already_in_room
  server_full: ['ws_close_1013'],
  create_refused: [],
  server_down: ['ws_connect', 'ws_close_1012', 'lookup_transport'],
  already_in_room: [],
};

function realFigures(real, options, windowMs, recorded, input) {
  const speed = options.speed;
  const { peak, serverMs } = integrate(real.samples, windowMs / speed);
  const errors = real.loadgen.errors ?? {};
  const count = (kinds) => kinds.reduce((a, k) => a + (errors[k] ?? 0), 0);
  const joinsRefused = Object.fromEntries(
    Object.entries(JOIN_REASONS).map(([reason, kinds]) => [reason, count(kinds)]));
  const placements = (result) =>
    sum(real.metrics, 'chat_scheduler_placements_total', (l) => l.result === result);
  const roomsWaited = placements('waiting');
  const { rooms, lagMs } = roomWaits(recorded, input, speed);
  // The rooms that waited for a start (the backend counts them, but not
  // which) are taken as those whose first member came in latest against the
  // input trace: a room the trace's users joined late did not wait for it.
  const waited = rooms.sort((a, b) => a.late - b.late)
    .slice(rooms.length - Math.min(roomsWaited, rooms.length))
    .map((room) => room.wait).sort((a, b) => a - b);
  const starts = sum(real.metrics, 'chat_scheduler_fleet_start_seconds_count');
  const startSum = sum(real.metrics, 'chat_scheduler_fleet_start_seconds_sum');
  return {
    servers_peak: peak,
    server_seconds: (serverMs / 1000) * speed,
    creates_refused: { no_capacity: creationsRefused(recorded, input, speed) },
    joins_refused: joinsRefused,
    rooms_created: placements('placed') + roomsWaited,
    rooms_waited: roomsWaited,
    wait_p50_ms: percentile(waited, 0.5),
    wait_p99_ms: percentile(waited, 0.99),
    scale_out: sum(real.metrics, 'chat_scheduler_scale_events_total', (l) => l.direction === 'out'),
    scale_in: sum(real.metrics, 'chat_scheduler_scale_events_total', (l) => l.direction === 'in'),
    start_delay_ms: starts ? (startSum / starts) * 1000 * speed : 0,
    starts,
    replay_lag_ms: lagMs,
    create_requests_refused: placements('no_capacity'),  // retries included
  };
}

function simFigures(report) {
  return {
    servers_peak: report.servers_peak,
    server_seconds: report.server_seconds,
    creates_refused: { no_capacity: report.creates_refused.no_capacity },
    joins_refused: report.joins_refused,
    rooms_created: report.rooms_created,
    rooms_waited: report.rooms_waited,
    wait_p50_ms: report.wait_p50_ms,
    wait_p99_ms: report.wait_p99_ms,
    scale_out: report.scale_out,
    scale_in: report.scale_in,
  };
}

const total = (object) => Object.values(object).reduce((a, b) => a + b, 0);

function difference(real, sim) {
  if (real === sim) return 0;
  if (real === 0) return null;  // no relative difference from nothing
  return (sim - real) / real;
}

function showDifference(d) {
  if (d === null) return 'n/a';
  return `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}%`;
}

function compare(real, sim) {
  const rows = [
    ['peak servers', 'servers_peak', (f) => f.servers_peak, true],
    ['server-seconds', 'server_seconds', (f) => f.server_seconds, true],
    ['creations refused', 'creates_refused', (f) => total(f.creates_refused), true],
    ...Object.keys(sim.creates_refused).map((r) => [`  ${r}`, `creates_refused.${r}`, (f) => f.creates_refused[r] ?? 0, false]),
    ['joins refused', 'joins_refused', (f) => total(f.joins_refused), true],
    ...Object.keys(JOIN_REASONS).map((r) => [`  ${r}`, `joins_refused.${r}`, (f) => f.joins_refused[r] ?? 0, false]),
    ['rooms created', 'rooms_created', (f) => f.rooms_created, false],
    ['rooms waited', 'rooms_waited', (f) => f.rooms_waited, false],
    ['room wait p50 (ms)', 'wait_p50_ms', (f) => f.wait_p50_ms, false],
    ['room wait p99 (ms)', 'wait_p99_ms', (f) => f.wait_p99_ms, false],
    ['servers started', 'scale_out', (f) => f.scale_out, false],
    ['servers stopped', 'scale_in', (f) => f.scale_in, false],
  ];
  return rows.map(([label, key, get, goal]) => {
    const r = get(real);
    const s = get(sim);
    return { label, key, real: r, sim: s, difference: difference(r, s), goal };
  });
}

// Which of the simulator's assumptions a difference points at.
function explain(rows, real, options) {
  const notes = [];
  const off = (key) => {
    const row = rows.find((r) => r.key === key);
    return row && (row.difference === null || Math.abs(row.difference) > GOAL);
  };
  if (off('scale_out') || off('servers_peak')) {
    notes.push(`servers started differ (real ${real.scale_out}): the start-up delay (the simulator ` +
      `takes every start as the real mean, ${Math.round(real.start_delay_ms)} ms in trace time, ` +
      'where real ones vary, on a machine shared with the loadgen) or the poll interval ' +
      `(${options['poll-interval-ms']} ms; the real backend's polls run late under load) decide ` +
      'whether a room finds a slot or starts a server');
  }
  if (off('server_seconds')) {
    notes.push(`server-seconds: the replay ran a median ${Math.round(real.replay_lag_ms)} ms ` +
      '(trace time) behind the trace, each join paying a log-in, a look-up and a connection the ' +
      'simulator does not; servers stop --idle-before-stop after the last poll that saw them empty ' +
      `(real polls every ${Math.round(options['poll-interval-ms'] / options.speed)} ms wall)`);
  }
  if (off('rooms_waited')) {
    notes.push('rooms waited: a room created as a server finishes starting waits in one world and ' +
      'not in the other: the simulator gives every start the real mean, where real starts vary ' +
      'and the backend learns of readiness from a /healthz probe every 50 ms wall ' +
      `(${50 * options.speed} ms of trace time)`);
  }
  if (off('wait_p50_ms') || off('wait_p99_ms')) {
    notes.push('room waits: the real wait includes the log-in, look-up and WebSocket of the first ' +
      `member (x${options.speed} in trace time); the simulator's client asks again every ` +
      `${options['lookup-retry-ms']} ms where a real look-up waits for the server; the real ` +
      'rooms that waited are taken as those whose first member came latest against the trace');
  }
  if (off('creates_refused') || off('joins_refused') || off('rooms_created')) {
    notes.push(`refusals: real creations answered 503 ${real.create_requests_refused} times; the ` +
      'loadgen asks again (0.5 to 2 s of wall time apart, for up to 60 s: not scaled), so a ' +
      'refused room may be created later, its members waiting for it, where the simulator ' +
      "refuses the creation and then its members' joins (create_refused); real refusals count " +
      'the trace rooms not created within 200 ms wall of their time');
  }
  return notes;
}

function printReport({ options, input, rows, notes, real, simArgs, windowMs }) {
  const duration = input.length ? input[input.length - 1].ms / 1000 : 0;
  const rooms = input.filter((e) => e.kind === 'create').length;
  const out = [];
  out.push(`agreement: ${options.trace}: ${input.length} events, ${rooms} rooms, ${duration.toFixed(1)} s`);
  out.push(`settings: speed ${options.speed}x, policy ${options.policy}, ` +
    `${options['rooms-per-server']} rooms a server, ${options['min-servers']} to ` +
    `${options['max-servers']} servers, spare ${options['spare-room-slots']}, idle timeout ` +
    `${options['idle-before-stop']} s, join deadline ${options['join-deadline']} s, start timeout ` +
    `${options['server-start-timeout']} s, poll ${options['poll-interval-ms']} ms (trace time)`);
  out.push(`measured: ${real.starts} real starts, mean ${Math.round(real.start_delay_ms)} ms (trace ` +
    `time) -> the simulator's start-up delay; replay lag p50 ${Math.round(real.replay_lag_ms)} ms; ` +
    `compared over ${Math.round(windowMs / 1000)} s`);
  out.push('');
  out.push(`${'figure'.padEnd(22)}${'real'.padStart(12)}${'sim'.padStart(12)}${'difference'.padStart(12)}  goal`);
  for (const row of rows) {
    const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
    const verdict = !row.goal ? '' :
      row.difference !== null && Math.abs(row.difference) <= GOAL ? 'within 5%' : 'OFF';
    out.push(`${row.label.padEnd(22)}${fmt(row.real).padStart(12)}${fmt(row.sim).padStart(12)}` +
      `${showDifference(row.difference).padStart(12)}  ${verdict}`);
  }
  out.push('');
  const goalRows = rows.filter((r) => r.goal);
  const met = goalRows.filter((r) => r.difference !== null && Math.abs(r.difference) <= GOAL);
  out.push(`goal: ${met.length} of ${goalRows.length} figures within 5% (peak servers, ` +
    'server-seconds, creations and joins refused)');
  for (const note of notes) out.push(`differs: ${note}`);
  out.push('');
  out.push(`simulator: sim ${simArgs.join(' ')}`);
  return out.join('\n');
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`agree: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  options.trace = path.resolve(options.trace);
  const dir = path.resolve(options.out || fs.mkdtempSync('/tmp/agreement-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    const bin = binaries();
    const input = readTrace(options.trace);
    // A first simulation fixes the window the real side is sampled over:
    // the simulator runs on past the trace until rooms are freed and idle
    // servers stopped.
    // Its start-ups are half the start timeout, longer than any real one
    // here, so that the window (which grows with the longest start-up)
    // covers the final run's.
    const first = simulate(bin, options, options['server-start-timeout'] * 500, dir);
    const windowMs = first.report.simulated_ms;
    console.error(`agree: replaying for real at ${options.speed}x: ${(windowMs / options.speed / 1000).toFixed(1)} s (out: ${dir})`);
    const real = await replayForReal(bin, options, windowMs, dir);
    const recordedFiles = fs.readdirSync(path.join(dir, 'recorded')).map((f) => path.join(dir, 'recorded', f));
    const merged = path.join(dir, 'real.trace');
    run(bin.merge, ['--out', merged, ...recordedFiles], 'the merge of the recorded traces');
    const realFigs = realFigures(real, options, windowMs, readTrace(merged), input);
    // The same run with the start-up delay the real fleet measured.
    const sim = simulate(bin, options, Math.max(1, Math.round(realFigs.start_delay_ms)), dir);
    // The real side was sampled over the first run's window; the final
    // run's is as long or shorter, and both sides are compared over it.
    if (sim.report.simulated_ms !== windowMs) {
      realFigs.server_seconds = (integrate(real.samples, Math.min(windowMs, sim.report.simulated_ms) / options.speed).serverMs / 1000) * options.speed;
    }
    const simFigs = simFigures(sim.report);
    const rows = compare(realFigs, simFigs);
    const notes = explain(rows, realFigs, options);
    const compared = Math.min(windowMs, sim.report.simulated_ms);
    console.log(printReport({ options, input, rows, notes, real: realFigs, simArgs: sim.args,
      windowMs: compared }));
    const json = { options, window_ms: compared, real: realFigs,
      sim: simFigs, rows, notes, backend_args: real.backendArgs, sim_args: sim.args,
      loadgen_passed: real.loadgen.passed ?? null };
    fs.writeFileSync(path.join(dir, 'agreement.json'), JSON.stringify(json, null, 2));
    if (options.json) fs.writeFileSync(path.resolve(options.json), JSON.stringify(json, null, 2));
    return 0;
  } catch (error) {
    console.error(`agree: ${error.message} (files in ${dir})`);
    return 1;
  }
}

process.exitCode = await main();
