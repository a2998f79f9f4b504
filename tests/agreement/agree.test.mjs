// The agreement command on a tiny trace: it runs both sides and prints the
// report with every figure, real and simulated; the servers' recording of
// the replay holds every room's creation and join. The figures' agreement is
// a measurement (README), not checked here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// 6 rooms a second apart, 2 users each, a few messages, all gone by 5 s:
// with 2 rooms a server the fleet grows past its one server and shrinks.
function tinyTrace() {
  const lines = ['time_ms,event,room,user,bytes'];
  for (let r = 0; r < 6; r++) {
    const t = r * 500;
    lines.push(`${t},create,r${r},u${r}a,`, `${t},join,r${r},u${r}a,`, `${t + 100},join,r${r},u${r}b,`,
      `${t + 300},message,r${r},u${r}b,40`, `${t + 2000},leave,r${r},u${r}b,`,
      `${t + 2100},leave,r${r},u${r}a,`);
  }
  const events = lines.slice(1).sort((a, b) => Number(a.split(',')[0]) - Number(b.split(',')[0]));
  return `${lines[0]}\n${events.join('\n')}\n`;
}

test('agree.mjs reports every figure for both sides on a tiny trace', { timeout: 240000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agreement-test-'));
  const trace = path.join(dir, 'tiny.trace');
  fs.writeFileSync(trace, tinyTrace());
  const out = path.join(dir, 'run');
  const result = spawnSync('node', [path.join(here, 'agree.mjs'), '--trace', trace, '--out', out,
    '--speed', '10', '--rooms-per-server', '2', '--max-servers', '5', '--idle-before-stop', '10',
    '--join-deadline', '10', '--server-start-timeout', '10'], { encoding: 'utf8', timeout: 230000 });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);

  const report = result.stdout;
  assert.match(report, /^agreement: .*tiny\.trace: 36 events, 6 rooms/m);
  assert.match(report, /^figure +real +sim +difference +goal$/m);
  for (const label of ['peak servers', 'server-seconds', 'creations refused', 'joins refused',
    'unknown_room', 'no_capacity', 'room_full', 'server_full', 'rooms waited',
    'room wait p50 \\(ms\\)', 'room wait p99 \\(ms\\)']) {
    assert.match(report, new RegExp(`^ *${label} +[\\d.]+ +[\\d.]+ +(n/a|[+-]\\d+\\.\\d%)`, 'm'), label);
  }
  assert.match(report, /^goal: \d of 4 figures within 5%/m);
  assert.match(report, /^simulator: sim .*--trace=/m);

  const json = JSON.parse(fs.readFileSync(path.join(out, 'agreement.json'), 'utf8'));
  for (const side of [json.real, json.sim]) {
    for (const key of ['servers_peak', 'server_seconds', 'rooms_waited', 'wait_p50_ms', 'wait_p99_ms']) {
      assert.equal(typeof side[key], 'number', key);
    }
    assert.equal(typeof side.creates_refused.no_capacity, 'number');
    assert.equal(typeof side.joins_refused.unknown_room, 'number');
  }
  assert.equal(json.sim.rooms_created, 6);
  assert.ok(json.real.servers_peak >= 1, 'the sampler saw the real fleet');

  // The servers recorded the replay: every room created (backend) and
  // joined by both its users (session servers), merged into one trace.
  const recorded = fs.readFileSync(path.join(out, 'real.trace'), 'utf8').split('\n');
  const count = (kind) => recorded.filter((line) => line.split(',')[1] === kind).length;
  assert.equal(count('create'), 6);
  assert.equal(count('join'), 12);
  // Messages the replay sends only from members already in (a room waiting
  // for its server skips them), so not every one of the trace's.
  assert.ok(count('message') >= 1);
  assert.ok(!recorded.some((line) => /,r\d,|,u\d[ab],/.test(line)), 'ids are anonymised');
});
