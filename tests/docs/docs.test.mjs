// The docs tell the truth about what exists: every relative link leads to a
// file (and heading) that is there, every --flag they name is one some
// command of the project takes, and docs/SETTINGS.md is what the binaries
// print today. Needs the binaries built (bazel build //...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const skipped = new Set(['node_modules', '.git', 'artifacts', 'dist', '.library']);

function filesUnder(dir, keep) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name) || entry.name.startsWith('bazel-')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full, keep));
    else if (keep(entry.name)) found.push(full);
  }
  return found;
}

const docs = filesUnder(root, (name) => name.endsWith('.md'));
const relative = (file) => path.relative(root, file);

// GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens.
function anchorsOf(file) {
  const anchors = new Set();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const heading = line.match(/^#{1,6}\s+(.*)$/);
    if (!heading) continue;
    anchors.add(heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}

test('docs/SETTINGS.md is what the binaries print today', () => {
  execFileSync(path.join(root, 'scripts', 'settings-doc.sh'), ['--check'], { stdio: 'pipe' });
});

test('every relative link in the docs leads to a file and heading that exist', () => {
  const broken = [];
  for (const file of docs) {
    const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;  // http:, https:, mailto:
      const [where, anchor] = target.split('#');
      const destination = where ? path.resolve(path.dirname(file), where) : file;
      if (!fs.existsSync(destination)) {
        broken.push(`${relative(file)}: ${target} (no such file)`);
      } else if (anchor && destination.endsWith('.md') && !anchorsOf(destination).has(anchor)) {
        broken.push(`${relative(file)}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

// Flags any command of ours takes: the binaries' (docs/SETTINGS.md) and
// those our scripts parse; and the outside tools' the docs show in commands.
function knownFlags() {
  const known = new Set();
  const add = (text) => { for (const [flag] of text.matchAll(/--[a-z][a-z0-9-]*/g)) known.add(flag); };
  add(fs.readFileSync(path.join(root, 'docs', 'SETTINGS.md'), 'utf8'));
  const scripts = filesUnder(root, (name) => /\.(sh|mjs|js)$/.test(name))
    .filter((file) => !file.includes(`${path.sep}client-web${path.sep}src`));
  for (const file of scripts) add(fs.readFileSync(file, 'utf8'));
  for (const flag of OUTSIDE_TOOLS) known.add(flag);
  return known;
}
// bazel, node, npm, curl, redis, haproxy, chromium, docker, git, ps: the
// flags of theirs the docs show.
const OUTSIDE_TOOLS = ['--config', '--test_output', '--noshow_progress', '--output_base', '--test',
  '--test-concurrency', '--test-timeout', '--silent', '--bind', '--port', '--dir', '--appendonly',
  '--requirepass', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--now', '--version', '--help', '--inclusive', '--tool', '--data-root', '--host', '--bridge',
  '--iptables', '--network', '--rm', '--name', '--format', '--user', '--save', '--protected-mode',
  '--appendfsync', '--maxmemory', '--maxmemory-policy', '--cacert', '--resolve', '--insecure',
  '--max-time', '--cpus', '--memory', '--kill', '--signal', '--verbose', '--no-persistence'];

test('every --flag the docs name is one a command takes', () => {
  const known = knownFlags();
  const unknown = [];
  for (const file of docs) {
    if (file.endsWith(path.join('docs', 'SETTINGS.md')) || file.includes(`${path.sep}.library`)) continue;
    if (file.endsWith('SEED.md')) continue;  // the TypeScript project's own
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const [flag] of line.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]/g)) {
        if (!known.has(flag)) unknown.push(`${relative(file)}:${index + 1}: ${flag}`);
      }
    });
  }
  assert.deepEqual(unknown, []);
});
