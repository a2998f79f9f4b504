// A local stand-in for Hathora Cloud's rooms API (v2), answering as that
// API documents: rooms are created under the caller's ?roomId= in a region
// and packed into processes, `roomsPerProcess` to a process, as Hathora does
// with its deployment's setting; a new process starts when every process is
// full. Each process is a real session server the test starts
// (`startProcess`), so clients chat through it.
//
//   POST /rooms/v2/{appId}/create?roomId=...  {"region"}  -> 201 {"roomId","processId","status"}
//   GET  /rooms/v2/{appId}/connectioninfo/{roomId}        -> 200 {"status":"starting"} or
//        {"status":"active","exposedPort":{"host","port","transportType","name"}}; 404
//   POST /rooms/v2/{appId}/destroy/{roomId}               -> 204; 404
//
// Test controls: `holdStarts` keeps new processes starting until release();
// fail(call, status) makes a call ("create", "connection_info", "destroy")
// answer an error, `times` times or until heal().
import http from 'node:http';

export async function startFakeHathora({ appId = 'app-1', token = 'tok-1', roomsPerProcess = 3, startProcess, holdStarts = false }) {
  const processes = new Map();  // id -> { id, state, host, port, rooms: Set, server, released }
  const rooms = new Map();      // roomId -> processId
  const calls = [];
  const failures = new Map();   // call -> { status, message, retryAfter, times }
  let nextProcess = 1;

  const fake = {
    appId, token, roomsPerProcess, processes, rooms, calls, holdStarts,
    url: '',
    fail(call, status, { message = `injected ${status}`, retryAfter, times = Infinity } = {}) {
      failures.set(call, { status, message, retryAfter, times });
    },
    heal() { failures.clear(); },
    // Lets held processes (all, or one) finish starting.
    release(processId) {
      for (const p of processes.values()) {
        if (processId === undefined || p.id === processId) { p.released = true; activate(p); }
      }
    },
    // Puts a process back to starting, as Hathora does while it moves its rooms.
    restart(processId) {
      const p = processes.get(processId);
      p.state = 'starting';
      p.released = false;
    },
    processOf(roomId) { return processes.get(rooms.get(roomId)); },
    async stop() {
      await new Promise((r) => server.close(r));
      server.closeAllConnections?.();
      await Promise.all([...processes.values()].map(async (p) => (await p.starting)?.stop()));
    },
  };

  function activate(p) {
    if (p.server && (p.released || !fake.holdStarts)) p.state = 'active';
  }

  // The first process with a free slot, else a new one (which starts a session server).
  function placeRoom(roomId) {
    let target = [...processes.values()].find((p) => p.rooms.size < roomsPerProcess);
    if (!target) {
      target = { id: `proc-${nextProcess++}`, state: 'starting', rooms: new Set(), released: false };
      processes.set(target.id, target);
      target.starting = startProcess(target).then((started) => {
        Object.assign(target, { server: started, host: started.hostname, port: started.port });
        activate(target);
        return started;
      });
    }
    target.rooms.add(roomId);
    rooms.set(roomId, target.id);
    return target;
  }

  function injected(call, send) {
    const failure = failures.get(call);
    if (!failure) return false;
    if (--failure.times <= 0) failures.delete(call);
    send(failure.status, { message: failure.message }, failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) });
    return true;
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url, 'http://fake');
      const send = (status, json, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      const call = { method: req.method, path: url.pathname, roomId: url.searchParams.get('roomId'), auth: req.headers.authorization, body };
      calls.push(call);
      const base = `/rooms/v2/${appId}`;
      const authorized = req.headers.authorization === `Bearer ${token}`;
      if (url.pathname === `${base}/create` && req.method === 'POST') {
        if (!authorized) return send(401, { message: 'Invalid token' });
        if (injected('create', send)) return;
        const roomId = url.searchParams.get('roomId');
        if (!roomId || !/^[a-zA-Z0-9_-]{1,100}$/.test(roomId)) return send(400, { message: 'bad roomId' });
        if (rooms.has(roomId)) return send(409, { message: `room ${roomId} already exists` });
        let region;
        try { region = JSON.parse(body).region; } catch {}
        if (!region) return send(422, { message: 'region is required' });
        const p = placeRoom(roomId);
        return send(201, { roomId, processId: p.id, status: 'scheduling', additionalExposedPorts: [] });
      }
      const info = url.pathname.match(new RegExp(`^${base}/connectioninfo/([^/]+)$`));
      if (info && req.method === 'GET') {
        // Hathora answers this one without a token: clients may call it.
        if (injected('connection_info', send)) return;
        const p = fake.processOf(info[1]);
        if (!p) return send(404, { message: `room not found: ${info[1]}` });
        if (p.state !== 'active') return send(200, { roomId: info[1], status: 'starting', additionalExposedPorts: [] });
        return send(200, {
          roomId: info[1], status: 'active', additionalExposedPorts: [],
          exposedPort: { host: p.host, port: p.port, transportType: 'tcp', name: 'default' },
        });
      }
      const destroy = url.pathname.match(new RegExp(`^${base}/destroy/([^/]+)$`));
      if (destroy && req.method === 'POST') {
        if (!authorized) return send(401, { message: 'Invalid token' });
        if (injected('destroy', send)) return;
        const p = fake.processOf(destroy[1]);
        if (!p) return send(404, { message: `room not found: ${destroy[1]}` });
        p.rooms.delete(destroy[1]);
        rooms.delete(destroy[1]);
        return send(204);
      }
      send(404, { message: `no such route: ${req.method} ${url.pathname}` });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  return fake;
}
