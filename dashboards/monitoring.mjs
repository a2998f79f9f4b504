// The monitoring stack on loopback: Prometheus and Alertmanager with this
// folder's configuration, and the webhook Alertmanager notifies. The configs
// name the default ports; this writes copies that point at the given backend
// admin listener, Alertmanager, webhook and load generator, and starts the
// three. scripts/monitoring.sh runs it; tests/monitoring/ imports it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAlertSink } from './alert_sink.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Replaces each [from, to] in text; a pattern that is missing is an error, so
// the configs and this file cannot drift apart unnoticed.
function rewrite(text, replacements, file) {
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${file}: expected to find ${JSON.stringify(from)}`);
    text = text.split(from).join(to);
  }
  return text;
}

// Writes prometheus.yml and alertmanager.yml into dir for these addresses
// (host:port each); scrapeInterval shortens the 5 s scrape, evaluation and
// discovery intervals (tests). Returns their paths.
export function writeConfigs(dir, { backendAdmin, alertmanager, webhook, loadgen, scrapeInterval, adminToken }) {
  fs.mkdirSync(dir, { recursive: true });
  const prometheus = path.join(dir, 'prometheus.yml');
  const replacements = [];
  if (adminToken) {
    // The admin listeners want the bearer secret: the backend, the discovery
    // endpoint and every session server.
    const tokenFile = path.join(dir, 'admin-token');
    fs.writeFileSync(tokenFile, adminToken, { mode: 0o600 });
    const auth = (indent) => `${indent}authorization:\n${indent}  credentials_file: ${tokenFile}\n`;
    replacements.push(['  - job_name: backend\n', `  - job_name: backend\n${auth('    ')}`],
      ['  - job_name: session-servers\n', `  - job_name: session-servers\n${auth('    ')}`],
      ['      - url: http://127.0.0.1:8081/sd/session-servers\n',
        `      - url: http://127.0.0.1:8081/sd/session-servers\n${auth('        ')}`]);
  }
  replacements.push(
    ['http://127.0.0.1:8081/sd/session-servers', `http://${backendAdmin}/sd/session-servers`],
    ['targets: ["127.0.0.1:8081"]', `targets: ["${backendAdmin}"]`],
    ['targets: ["127.0.0.1:9093"]', `targets: ["${alertmanager}"]`],
    ['targets: ["127.0.0.1:9105"]', `targets: ["${loadgen}"]`],
    ['- rules/', `- ${path.join(here, 'rules')}/`],
  );
  if (scrapeInterval) {
    replacements.push(['scrape_interval: 5s', `scrape_interval: ${scrapeInterval}`],
      ['evaluation_interval: 5s', `evaluation_interval: ${scrapeInterval}`],
      ['refresh_interval: 5s', `refresh_interval: ${scrapeInterval}`]);
  }
  fs.writeFileSync(prometheus, rewrite(fs.readFileSync(path.join(here, 'prometheus.yml'), 'utf8'),
    replacements, 'prometheus.yml'));
  const alertmanagerYml = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(alertmanagerYml, rewrite(fs.readFileSync(path.join(here, 'alertmanager.yml'), 'utf8'),
    [['http://127.0.0.1:9095/', `http://${webhook}/`]], 'alertmanager.yml'));
  return { prometheus, alertmanager: alertmanagerYml };
}

function launch(bin, args, logFile) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    // Not installed: say so, as an exit would.
    child.on('error', (e) => {
      fs.appendFileSync(logFile, `${bin}: ${e.message} (scripts/install-deps.sh installs it)\n`);
      child.exitCode ??= 127;
      resolve({ code: 127, signal: null });
    });
  });
  return child;
}

async function waitReady(url, child, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: exited with ${child.exitCode}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url}: not ready after ${timeoutMs} ms`);
}

// Starts the webhook, Alertmanager and Prometheus with their data in dataDir.
// Resolves with their URLs, the sink, and stop() which ends all three.
export async function startMonitoring({
  dataDir, backendAdmin, loadgen = '127.0.0.1:9105', prometheusPort = 9090,
  alertmanagerPort = 9093, webhookPort = 9095, scrapeInterval, adminToken, printAlerts = false,
  readyTimeoutMs = 60000,
}) {
  fs.mkdirSync(dataDir, { recursive: true });
  const sink = await startAlertSink({ port: webhookPort, out: path.join(dataDir, 'alerts.jsonl'),
    print: printAlerts });
  const alertmanagerAddress = `127.0.0.1:${alertmanagerPort}`;
  const configs = writeConfigs(path.join(dataDir, 'config'), {
    backendAdmin, alertmanager: alertmanagerAddress, webhook: `127.0.0.1:${sink.port}`, loadgen,
    scrapeInterval, adminToken,
  });
  const children = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => Promise.race([c.exited, sleep(10000).then(() => c.kill('SIGKILL'))])));
    await sink.close();
  };
  try {
    const alertmanagerLog = path.join(dataDir, 'alertmanager.log');
    const alertmanager = launch('prometheus-alertmanager', [
      `--config.file=${configs.alertmanager}`, `--storage.path=${path.join(dataDir, 'alertmanager')}`,
      `--web.listen-address=${alertmanagerAddress}`, '--cluster.listen-address=',
    ], alertmanagerLog);
    children.push(alertmanager);
    const alertmanagerUrl = `http://${alertmanagerAddress}`;
    await waitReady(`${alertmanagerUrl}/-/ready`, alertmanager, alertmanagerLog, readyTimeoutMs);

    const prometheusLog = path.join(dataDir, 'prometheus.log');
    const prometheus = launch('prometheus', [
      `--config.file=${configs.prometheus}`, `--storage.tsdb.path=${path.join(dataDir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
    ], prometheusLog);
    children.push(prometheus);
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    await waitReady(`${prometheusUrl}/-/ready`, prometheus, prometheusLog, readyTimeoutMs);
    return { prometheusUrl, alertmanagerUrl, sink, configs, dataDir, stop, children };
  } catch (e) {
    await stop();
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const usage = `Usage: scripts/monitoring.sh [options]
Starts Prometheus and Alertmanager on loopback with dashboards/'s configuration,
and the webhook Alertmanager notifies (it prints each alert). Ctrl-C stops them.
With ADMIN_TOKEN in the environment, Prometheus sends it to the admin listeners.
  --backend-admin HOST:PORT   the backend's admin listener (default 127.0.0.1:$ADMIN_PORT,
                              ADMIN_PORT defaulting to 8081 as in ./run.sh)
  --loadgen HOST:PORT         a load generator's --metrics-port (default 127.0.0.1:9105)
  --prometheus-port PORT      default 9090
  --alertmanager-port PORT    default 9093
  --webhook-port PORT         default 9095
  --data-dir DIR              default artifacts/monitoring`;
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) { console.log(usage); process.exit(0); }
  const options = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!['backendAdmin', 'loadgen', 'prometheusPort', 'alertmanagerPort', 'webhookPort', 'dataDir']
      .includes(name) || args[i + 1] === undefined) {
      console.error(`monitoring: unknown option or missing value: ${args[i]}\n\n${usage}`);
      process.exit(2);
    }
    options[name] = args[i + 1];
  }
  const root = path.resolve(here, '..');
  const stack = await startMonitoring({
    backendAdmin: options.backendAdmin ?? `127.0.0.1:${process.env.ADMIN_PORT ?? 8081}`,
    loadgen: options.loadgen,
    prometheusPort: Number(options.prometheusPort ?? 9090),
    alertmanagerPort: Number(options.alertmanagerPort ?? 9093),
    webhookPort: Number(options.webhookPort ?? 9095),
    dataDir: path.resolve(options.dataDir ?? path.join(root, 'artifacts', 'monitoring')),
    adminToken: process.env.ADMIN_TOKEN || undefined,
    printAlerts: true,
  }).catch((e) => { console.error(`monitoring: ${e.message}`); process.exit(1); });
  console.log(`monitoring: Prometheus   ${stack.prometheusUrl}/  (targets: ${stack.prometheusUrl}/targets, alerts: ${stack.prometheusUrl}/alerts)`);
  console.log(`monitoring: Alertmanager ${stack.alertmanagerUrl}/`);
  console.log(`monitoring: alerts are printed here and appended to ${path.join(stack.dataDir, 'alerts.jsonl')}`);
  console.log('monitoring: pictures of the dashboards: node dashboards/render.mjs (Ctrl-C stops the stack)');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  for (const child of stack.children) {
    child.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`monitoring: ${child.spawnargs[0]} exited (${signal ?? code}); see its log in the data folder`);
      shutdown();
    });
  }
}
