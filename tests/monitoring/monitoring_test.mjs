// Checks dashboards/ against the real tools and a real run: promtool and
// amtool on the configs and rules (every alert unit-tested), the dashboards'
// JSON, then the real stack (backend with its local fleet, loadgen, Prometheus,
// Alertmanager, all on 127.0.0.1): every panel query of every dashboard must
// return data, a session server killed with -9 must reach the webhook as
// SessionServerDown, every metric name in dashboards/ must exist on some
// binary's /metrics, and promtool check metrics must be clean on each. The
// session servers keep their history in a private redis-server (the History
// panels read what only a server with --redis has), and one server is drained.
// Builds nothing: run `bazel build //server:all //loadgen` first (or set
// LOADGEN_BIN, SESSION_BIN, BACKEND_BIN). Prints "N passed, N failed" last.
//   node tests/monitoring/monitoring_test.mjs [name-filter]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SESSION_BIN, freePort, repoRoot, startBackend, api } from '../integration/harness.mjs';
import { startRedis } from '../support/redis.mjs';
import { startMonitoring, writeConfigs } from '../../dashboards/monitoring.mjs';
import { loadDashboards, queryRange, renderAll, substitute } from '../../dashboards/render.mjs';
import { generate } from '../../dashboards/grafana/generate.mjs';

const LOADGEN_BIN = process.env.LOADGEN_BIN ?? path.join(repoRoot, 'bazel-bin/loadgen/loadgen');
const dashboardsDir = path.join(repoRoot, 'dashboards');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-test-'));
const artifacts = path.join(process.env.ARTIFACTS_DIR ?? path.join(repoRoot, 'artifacts'), 'monitoring');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const read = (file) => fs.readFileSync(path.join(dashboardsDir, file), 'utf8');

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
function expect(condition, message) {
  if (!condition) throw new Error(message);
}
function tool(bin, args) {
  const r = spawnSync(bin, args, { cwd: repoRoot, encoding: 'utf8' });
  if (r.error) return { code: null, output: `${bin}: ${r.error.message} (scripts/install-deps.sh installs it)` };
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

// --- what dashboards/ names --------------------------------------------------
const recordedNames = () => [...read('rules/recording.yml').matchAll(/- record: (\S+)/g)].map((m) => m[1]);
const alertNames = () => [...read('rules/alerts.yml').matchAll(/- alert: (\S+)/g)].map((m) => m[1]);
const ruleExprs = () => ['rules/recording.yml', 'rules/alerts.yml'].flatMap((file) =>
  [...read(file).matchAll(/expr: (?:>-\n((?:\s{10,}.*\n)+)|(.*)\n)/g)].map((m) => (m[1] ?? m[2]).trim()));
const panelTargets = () => loadDashboards().flatMap(({ file, json }) =>
  json.panels.filter((p) => p.type !== 'row').flatMap((panel) =>
    panel.targets.map((target) => ({ file, panel: panel.title, expr: target.expr }))));

const PROMQL_WORDS = new Set(['sum', 'min', 'max', 'avg', 'count', 'rate', 'increase', 'irate', 'by',
  'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'histogram_quantile', 'min_over_time', 'max_over_time', 'label_values', 'vector', 'time', 'abs']);
// The metric names an expression reads: strings, label matchers, ranges and
// grouping lists removed, then every identifier that is not a function or keyword.
export function metricNames(expr) {
  const bare = expr.replace(/label_values\(([^,]*),[^)]*\)/g, '$1').replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0])
    .filter((name) => !PROMQL_WORDS.has(name) && !/^\d/.test(name));
}

// --- static checks -------------------------------------------------------------
test('promtool check config: prometheus.yml and the rule files it names', () => {
  const r = tool('promtool', ['check', 'config', 'dashboards/prometheus.yml']);
  expect(r.code === 0, r.output);
});

test('promtool check rules: recording and alerting rules', () => {
  const r = tool('promtool', ['check', 'rules', 'dashboards/rules/recording.yml', 'dashboards/rules/alerts.yml']);
  expect(r.code === 0, r.output);
});

test('promtool test rules: every alert fires when it should and stays quiet when it should not', () => {
  const r = tool('promtool', ['test', 'rules', 'dashboards/rules/alerts_test.yml']);
  expect(r.code === 0, r.output);
  // Each alert has a case expecting it to fire and one expecting silence.
  const cases = [...read('rules/alerts_test.yml').matchAll(
    /- alertname: (\S+)\n\s+eval_time: \S+\n\s+exp_alerts:( \[\]|\n\s+- exp_labels)/g)];
  for (const alert of alertNames()) {
    expect(cases.some((c) => c[1] === alert && c[2] !== ' []'), `${alert}: no test expects it to fire`);
    expect(cases.some((c) => c[1] === alert && c[2] === ' []'), `${alert}: no test expects it quiet`);
  }
});

test('every alert has a severity and a runbook', () => {
  const blocks = read('rules/alerts.yml').split(/\n(?= {6}- alert: )/).slice(1);
  expect(blocks.length === alertNames().length && blocks.length >= 12, `${blocks.length} alerts`);
  for (const block of blocks) {
    const name = block.match(/- alert: (\S+)/)[1];
    expect(/severity: (page|ticket)/.test(block), `${name}: no severity page or ticket`);
    expect(/runbook: >-\n\s+\S/.test(block), `${name}: no runbook`);
    expect(/summary: /.test(block) && /description: /.test(block), `${name}: no summary or description`);
  }
});

test('with ADMIN_TOKEN, Prometheus sends it to the backend, the discovery and every session server', () => {
  const dir = path.join(tmp, 'token-config');
  const { prometheus } = writeConfigs(dir, { backendAdmin: '127.0.0.1:1', alertmanager: '127.0.0.1:2',
    webhook: '127.0.0.1:3', loadgen: '127.0.0.1:4', adminToken: 'secret' });
  const text = fs.readFileSync(prometheus, 'utf8');
  expect((text.match(/credentials_file: /g) ?? []).length === 3, text);
  expect(fs.readFileSync(path.join(dir, 'admin-token'), 'utf8') === 'secret', 'token file');
  const r = tool('promtool', ['check', 'config', prometheus]);
  expect(r.code === 0, r.output);
});

test('amtool check-config: alertmanager.yml', () => {
  const r = tool('amtool', ['check-config', 'dashboards/alertmanager.yml']);
  expect(r.code === 0, r.output);
});

test('the dashboards are what generate.mjs writes, provisioning-ready', () => {
  const generated = generate();
  expect(Object.keys(generated).length === 4, 'four dashboards');
  const uids = new Set();
  for (const [file, text] of Object.entries(generated)) {
    expect(read(`grafana/${file}`) === text, `grafana/${file} differs from generate.mjs: run node dashboards/grafana/generate.mjs`);
    const d = JSON.parse(text);
    expect(d.uid && !uids.has(d.uid), `${file}: uid`);
    uids.add(d.uid);
    expect(d.schemaVersion >= 36 && d.title && d.description, `${file}: schemaVersion, title, description`);
    expect(d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource' && v.query === 'prometheus'),
      `${file}: no datasource variable`);
    const ids = new Set(d.panels.map((p) => p.id));
    expect(ids.size === d.panels.length, `${file}: panel ids repeat`);
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      expect(p.description && p.fieldConfig.defaults.unit, `${file} "${p.title}": description and unit`);
      expect(p.datasource.uid === '${datasource}' && p.targets.every((t) => t.datasource.uid === '${datasource}'),
        `${file} "${p.title}": datasource variable`);
      expect(p.targets.length > 0 && p.targets.every((t) => t.expr && t.refId), `${file} "${p.title}": targets`);
      expect(p.gridPos.x + p.gridPos.w <= 24, `${file} "${p.title}": wider than the grid`);
    }
  }
});

test('metricNames finds the metrics of an expression and nothing else', () => {
  const names = metricNames('sum by (job, le) (rate(a_bucket{le="0.025",x=~"$i"}[5m])) / on (job) b:c:d or vector(0)');
  expect(JSON.stringify(names) === '["a_bucket","b:c:d"]', JSON.stringify(names));
  const variable = metricNames('label_values(e{job="x"}, instance)');
  expect(JSON.stringify(variable) === '["e"]', JSON.stringify(variable));
});

// --- the real stack ------------------------------------------------------------
function startLoadgen(args) {
  const child = spawn(LOADGEN_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  run.loadgens.push(child);
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}
async function scrape(url) {
  try { const res = await fetch(url); return res.ok ? await res.text() : undefined; } catch { return undefined; }
}
async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(500);
  }
}

// Started once by the first end-to-end test; the others read what it saw (or
// fail with the reason it did not run).
let run, running;
function stack() {
  running ??= runStack();
  return running;
}
async function runStack() {
  run = { metricsTexts: {}, stoppers: [], loadgens: [] };
  const loadgenPort = await freePort();
  const redis = await startRedis();
  run.stoppers.push(() => redis.stop());
  const backend = await startBackend({ args: ['--admin-port', '0', '--fleet', 'local', '--session-binary', SESSION_BIN,
    `--session-arg=--redis=${redis.url}`,
    '--rooms-per-server', '2', '--min-servers', '1', '--max-servers', '4', '--idle-before-stop', '1',
    '--empty-room-grace', '0', '--poll-interval-ms', '200', '--session-log-dir', tmp,
    // The load generator and this test share 127.0.0.1: no limit per address, the
    // per-user ones stay (a login flood below gets 429).
    '--logins-per-ip-per-minute', '0', '--room-creations-per-ip-per-minute', '0',
    '--room-lookups-per-ip-per-minute', '0'] });
  run.stoppers.unshift(() => backend.stop());
  run.backend = backend;
  const admin = await waitFor('admin listener', () => backend.child.output.match(/admin on http:\/\/(\S+)/)?.[1], 10000);
  run.admin = admin;
  run.start = Math.floor(Date.now() / 1000);
  const monitoring = await startMonitoring({
    dataDir: path.join(tmp, 'monitoring'), backendAdmin: admin, loadgen: `127.0.0.1:${loadgenPort}`,
    prometheusPort: await freePort(), alertmanagerPort: await freePort(), webhookPort: 0, scrapeInterval: '1s',
  });
  run.stoppers.unshift(() => monitoring.stop());
  run.monitoring = monitoring;
  const prometheus = monitoring.prometheusUrl;
  const sessionPids = () => [...backend.child.output.matchAll(/started session server (\S+) \(pid (\d+)\)/g)]
    .map((m) => ({ id: m[1], pid: Number(m[2]) }));

  // Load starts once Prometheus has scraped the backend and the first session
  // server a few times: a counter's first increase is only seen from a sample before it.
  await waitFor('Prometheus scraping the backend and a session server', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await queryRange(prometheus, 'count_over_time(up[10s]) >= 3', run.start, now, 1);
    const jobs = new Set(r.filter((s) => s.values.length).map((s) => s.metric.job));
    return jobs.has('backend') && jobs.has('session-servers');
  }, 60000);

  // Chat: 6 rooms of 5 bots (three servers); one server killed with -9 midway.
  const metricsPort = ['--metrics-port', String(loadgenPort)];
  const chat = startLoadgen(['--target', backend.url, '--scenario', 'chat', '--rooms', '6', '--users', '5',
    '--rate', '2', '--duration', '20', '--ramp', '2', '--timeout', '120', ...metricsPort]);
  run.stoppers.unshift(() => { chat.kill('SIGKILL'); return chat.exited; });
  await waitFor('bots connected', async () => /loadgen_bots_connected [1-9]/.test(
    (await scrape(`http://127.0.0.1:${loadgenPort}/metrics`)) ?? ''), 60000);
  await waitFor('Prometheus scraping a session server', async () => {
    const r = await queryRange(prometheus, 'up{job="session-servers"} == 1', run.start, Math.floor(Date.now() / 1000), 1);
    return r.length > 0;
  }, 30000);
  await sleep(4000);
  const victim = sessionPids()[0];
  const sd = JSON.parse(await scrape(`http://${admin}/sd/session-servers`));
  const live = sd.find((t) => t.labels.state === 'ready');
  run.metricsTexts.session = await scrape(`http://${live.targets[0]}/metrics`);
  run.pagedBeforeKill = monitoring.sink.notifications.some((n) =>
    n.body.alerts.some((a) => a.labels.alertname === 'SessionServerDown'));
  process.kill(victim.pid, 'SIGKILL');
  run.killed = { ...victim, at: Date.now() };
  await sleep(4000);  // the bots of the killed server's rooms count their errors
  // An operator's drain of a server that holds rooms: they move, the server stops.
  const fleet = (await api(`http://${admin}`, 'GET', '/api/fleet')).json;
  const drained = fleet?.servers.find((s) => s.state === 'ready' && s.rooms > 0 && s.id !== victim.id);
  run.drain = drained ? await api(`http://${admin}`, 'POST', `/api/fleet/servers/${drained.id}/drain`)
    : { status: 0, text: `no ready server with rooms: ${JSON.stringify(fleet?.servers)}` };
  run.drain.serverId = drained?.id;
  run.metricsTexts.loadgen = await scrape(`http://127.0.0.1:${loadgenPort}/metrics`);
  run.chat = await chat.exited;
  run.chatEnd = Math.floor(Date.now() / 1000);

  // Autoscale: rooms one by one, the fleet grows, then shrinks when idle. It
  // starts from an idle fleet (the chat's servers stopped, down to
  // --min-servers), so that it can see it grow.
  await waitFor('the fleet idle after the chat', async () => {
    const f = (await api(`http://${admin}`, 'GET', '/api/fleet')).json;
    return f && f.rooms === 0 && f.servers.filter((s) => s.state === 'ready' || s.state === 'starting').length <= 1;
  }, 30000);
  const autoscale = startLoadgen(['--target', backend.url, '--admin-target', `http://${admin}`,
    '--scenario', 'autoscale', '--rooms', '6', '--ramp', '2', '--idle-wait', '30', '--timeout', '120',
    ...metricsPort]);
  run.stoppers.unshift(() => { autoscale.kill('SIGKILL'); return autoscale.exited; });
  run.autoscale = await autoscale.exited;

  // Rooms nobody joins (one user each) until the fleet is at its maximum and answers 503.
  run.refused = false;
  run.createStatuses = [];
  for (let i = 0; i < 20 && !run.refused; i++) {
    const login = await api(backend.url, 'POST', '/api/login', { body: { userId: `filler-${i}` } });
    const r = await api(backend.url, 'POST', '/api/rooms', { token: login.json?.token });
    run.createStatuses.push(r.status);
    run.refused = r.status === 503;
  }
  // One user logging in again and again: admission control answers 429.
  run.throttled = false;
  for (let i = 0; i < 100 && !run.throttled; i++) {
    const r = await api(backend.url, 'POST', '/api/login', { body: { userId: 'flooder' } });
    run.throttled = r.status === 429;
  }
  // Both refused again a few scrapes later, as retrying clients would be: a
  // status code's series starts at its first answer, and rate() sees an
  // increase only after a sample before it.
  await sleep(3000);
  const filler = await api(backend.url, 'POST', '/api/login', { body: { userId: 'filler-late' } });
  run.refusedAgain = (await api(backend.url, 'POST', '/api/rooms', { token: filler.json?.token })).status;
  for (let i = 0; i < 10 && run.throttledAgain !== 429; i++) {  // the limit refills meanwhile
    run.throttledAgain = (await api(backend.url, 'POST', '/api/login', { body: { userId: 'flooder' } })).status;
  }
  run.metricsTexts.backend = await scrape(`http://${admin}/metrics`);
  return run;
}

// Every target of every panel, with the dashboards' variables at "All",
// evaluated over the run; the ones without a single finite value.
async function panelsWithoutData(prometheus, start, end) {
  const missing = [];
  for (const target of panelTargets()) {
    const result = await queryRange(prometheus, substitute(target.expr), start, end, 1);
    const finite = result.some((s) => s.values.some(([, v]) => Number.isFinite(Number(v))));
    if (!finite) missing.push(`${target.file} "${target.panel}": ${target.expr}`);
  }
  return missing;
}

// The highest value one target of a panel took over the run (of the series
// `only` accepts, by their labels).
async function highest(r, file, title, legendPart, only = () => true) {
  const panel = loadDashboards().find((d) => d.file === file).json.panels.find((p) => p.title === title);
  const target = panel.targets.find((t) => t.legendFormat.includes(legendPart));
  const now = Math.floor(Date.now() / 1000);
  const result = await queryRange(r.monitoring.prometheusUrl, substitute(target.expr), r.start, now, 1);
  return Math.max(0, ...result.filter((s) => only(s.metric))
    .flatMap((s) => s.values.map(([, v]) => Number(v)).filter(Number.isFinite)));
}

test('end to end: the stack runs chat and autoscale, fills the fleet to its maximum, floods a login', async () => {
  const r = await stack();
  expect(r.chat.code !== null, `chat load: ${r.chat.signal}`);
  expect(r.autoscale.code === 0, `autoscale exit ${r.autoscale.code}`);
  expect(r.refused, `no 503 from POST /api/rooms with the fleet at its maximum: ${r.createStatuses}`);
  expect(r.throttled, 'no 429 for a login flood');
  expect(r.refusedAgain === 503 && r.throttledAgain === 429,
    `refused again: ${r.refusedAgain} for a room, ${r.throttledAgain} for a login`);
});

test('end to end: every panel query of every dashboard returns data', async () => {
  const r = await stack();
  let missing;
  await waitFor('every panel with data', async () => {
    missing = await panelsWithoutData(r.monitoring.prometheusUrl, r.start, Math.floor(Date.now() / 1000));
    return missing.length === 0;
  }, 90000).catch(() => { throw new Error(`panels without data:\n  ${missing.join('\n  ')}`); });
  expect(panelTargets().length >= 40, `${panelTargets().length} panel queries`);
});

test('end to end: every panel shows data already under plain chat load, before any 503', async () => {
  const r = await stack();
  const missing = await panelsWithoutData(r.monitoring.prometheusUrl, r.start, r.chatEnd);
  expect(missing.length === 0, `panels empty until something fails:\n  ${missing.join('\n  ')}`);
});

test('end to end: the kill shows on the dashboards as a lost server and as the bots\' errors', async () => {
  const r = await stack();
  expect(await highest(r, 'fleet.json', 'Scale-out, scale-in and lost servers', 'lost') > 0,
    'no lost server on the Fleet dashboard');
  expect(await highest(r, 'loadtest.json', 'Errors by kind', 'kind') > 0, 'no errors on the Load test dashboard');
});

test('end to end: the full fleet and the login flood show as refusals on the dashboards', async () => {
  const r = await stack();
  const panels = [['backend.json', 'Admission refusals by limit', 'limit'],
    ['backend.json', 'Refusals: 429 and 503', 'route'], ['fleet.json', 'Refusals by reason', 'no capacity']];
  let highs;
  await waitFor('refusals on the dashboards', async () => {
    highs = await Promise.all(panels.map(([file, title, legend]) => highest(r, file, title, legend)));
    return highs.every((h) => h > 0);
  }, 30000).catch((e) => {
    throw new Error(`${e.message}: ${panels.map((p, i) => `"${p[1]}" at most ${highs[i]}`).join(', ')}`);
  });
});

test('end to end: the history store is up on the dashboards, and a drain shows as done with its rooms', async () => {
  const r = await stack();
  expect(r.drain.status === 202, `POST /api/fleet/servers/${r.drain.serverId}/drain: ${r.drain.status} ${r.drain.text}`);
  expect(await highest(r, 'session-servers.json', 'History store up', 'server_id') === 1,
    'no session server with its history store up');
  expect(await highest(r, 'session-servers.json', 'History appends by result', 'result',
    (m) => m.result === 'stored') > 0, 'no message stored in Redis');
  let done, rooms;
  await waitFor('the drain on the Fleet dashboard', async () => {
    done = await highest(r, 'fleet.json', 'Drains', 'event', (m) => m.event === 'done');
    rooms = await highest(r, 'fleet.json', 'Rooms moved by drains', 'result');
    return done > 0 && rooms > 0;
  }, 30000).catch((e) => { throw new Error(`${e.message}: drains done ${done}, rooms moved or left ${rooms}`); });
});

test('end to end: a session server killed with -9 reaches the webhook as SessionServerDown', async () => {
  const r = await stack();
  expect(!r.pagedBeforeKill, 'SessionServerDown was notified before any server was killed');
  const notification = await r.monitoring.sink.waitFor((n) => n.receiver === 'page' &&
    n.body.alerts.some((a) => a.labels.alertname === 'SessionServerDown' && a.status === 'firing'), 90000);
  const alert = notification.body.alerts.find((a) => a.labels.alertname === 'SessionServerDown');
  expect(alert.labels.severity === 'page' && alert.labels.instance === r.admin, JSON.stringify(alert.labels));
  expect(/runbook|GET \/api\/fleet/.test(alert.annotations.runbook), 'runbook annotation');
  console.log(`  SessionServerDown reached the webhook ${((Date.parse(notification.received) - r.killed.at) / 1000).toFixed(1)} s after kill -9 of ${r.killed.id}`);
});

test('every metric name in dashboards/ exists on some binary\'s /metrics', async () => {
  const r = await stack();
  for (const [binary, text] of Object.entries(r.metricsTexts)) expect(text, `no /metrics from the ${binary}`);
  const exposed = new Set(Object.values(r.metricsTexts).flatMap((text) =>
    text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/)[0])));
  const recorded = new Set(recordedNames());
  const used = [...panelTargets().map((t) => t.expr), ...ruleExprs(),
    ...loadDashboards().flatMap(({ json }) => json.templating.list.map((v) => v.definition ?? ''))];
  const unknown = new Set();
  let checked = 0;
  for (const expr of used) {
    for (const name of metricNames(expr)) {
      checked++;
      // up is Prometheus's own, per target; recording rules are checked through their expressions.
      if (name === 'up' || recorded.has(name) || exposed.has(name)) continue;
      unknown.add(name);
    }
  }
  expect(checked > 50, `only ${checked} names found`);
  expect(unknown.size === 0, `not on any /metrics: ${[...unknown].join(', ')}`);
  const unrecorded = [...recorded].filter((name) => !used.some((e) => metricNames(e).includes(name)));
  expect(unrecorded.length === 0, `recording rules no panel or alert reads: ${unrecorded.join(', ')}`);
});

test('promtool check metrics is clean on the backend, a session server and the loadgen', async () => {
  const r = await stack();
  for (const [binary, text] of Object.entries(r.metricsTexts)) {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status === 0, `${binary}: ${check.stdout}${check.stderr}`);
  }
  expect(/# TYPE process_cpu_seconds_total counter/.test(r.metricsTexts.backend), 'process_cpu_seconds_total counter');
});

test('the renderer draws every panel of every dashboard with data', async () => {
  const r = await stack();
  const files = await renderAll(r.monitoring.prometheusUrl, r.start, Math.floor(Date.now() / 1000), artifacts,
    { rateInterval: '4s' });  // four of the test's 1 s scrapes
  for (const file of files.filter((f) => f.endsWith('.svg'))) {
    const svg = fs.readFileSync(file, 'utf8');
    expect(!svg.includes('No data'), `${path.basename(file)}: a panel without data`);
    expect((svg.match(/<path d="M/g) ?? []).length > 3, `${path.basename(file)}: no lines`);
  }
  console.log(`  pictures in ${path.relative(process.cwd(), artifacts)}/`);
});

// --- runner ------------------------------------------------------------------
const filter = process.argv[2];
let passed = 0, failed = 0;
const started = Date.now();
try {
  for (const { name, fn } of tests) {
    if (filter && !name.includes(filter)) continue;
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}\n  ${e.stack ?? e}`);
      if (!run || run.printed) continue;  // the processes' output once, at the first failure
      run.printed = true;
      if (run.backend) console.log(`  backend output (last 1500 chars):\n${run.backend.child.output.slice(-1500)}`);
      for (const child of run.loadgens) {
        console.log(`  loadgen ${child.spawnargs.slice(1, 5).join(' ')} output (last 1500 chars):\n${child.output.slice(-1500)}`);
      }
    }
  }
} finally {
  for (const stop of run?.stoppers ?? []) await stop().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`monitoring: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
