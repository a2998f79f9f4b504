// A private redis-server for one test: on a free loopback port, no files on
// disk (no RDB snapshots, no append-only file), stopped by the test. Shared by
// the integration, loadgen and browser tests.
import { spawn } from 'node:child_process';
import net from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Sends one inline command and resolves with the first reply line.
export function redisCommand(port, line, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`redis: no answer to ${line}`)); }, timeoutMs);
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) { clearTimeout(timer); socket.end(); resolve(reply.split('\r\n')[0]); }
    });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

export class RedisServer {
  constructor(port) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.child = null;
  }

  // Starts (or starts again, on the same port: a restart keeps the URL).
  async start(timeoutMs = 10000) {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.output = '';
    child.stdout.on('data', (d) => { child.output += d; });
    child.stderr.on('data', (d) => { child.output += d; });
    this.child = child;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${child.output}`);
      try {
        if ((await redisCommand(this.port, 'PING')) === '+PONG') return this;
      } catch {}
      await sleep(50);
    }
    throw new Error(`redis-server not answering on ${this.port} after ${timeoutMs} ms: ${child.output}`);
  }

  command(line) { return redisCommand(this.port, line); }

  // SIGKILL by default: Redis gone without a word, as in a crash.
  async stop(signal = 'SIGKILL') {
    if (!this.child) return;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
    this.child = null;
  }
}

export async function startRedis() {
  return new RedisServer(await freePort()).start();
}
