// A deliberately broken session server for the loadgen tests: it speaks the
// session server's protocol (event subprotocols v1 and v2, compatibility
// snapshots) but drops every Nth delivery of a chat message, so the loadgen
// must report missing deliveries. Tokens are decoded, not verified: it is a test double.
//   node lossy_session.mjs --port P [--drop-every 10]
import http from 'node:http';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const port = Number(flag('--port', '8000'));
const dropEvery = Number(flag('--drop-every', '10'));
const EVENTS = 'scalable-chat.events.v1';
const EVENTS_V2 = 'scalable-chat.events.v2';
const evented = (ws) => ws.protocol === EVENTS || ws.protocol === EVENTS_V2;

const rooms = new Map();  // roomId -> { members: Map<userId, ws>, messages: [] }
let deliveries = 0;

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok' }));
});
const wss = new WebSocketServer({
  server,
  handleProtocols: (protocols) =>
    (protocols.has(EVENTS_V2) ? EVENTS_V2 : protocols.has(EVENTS) ? EVENTS : false),
});

function claims(url) {
  const token = new URL(url, 'http://x').searchParams.get('token') ?? '';
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}');
}

function snapshot(room) {
  return { messages: room.messages.slice(-100), connectedUsers: [...room.members.keys()] };
}

wss.on('connection', (ws, req) => {
  const { userId, roomId } = claims(req.url);
  if (!rooms.has(roomId)) rooms.set(roomId, { members: new Map(), messages: [] });
  const room = rooms.get(roomId);
  if (room.members.has(userId)) return ws.close(1008, 'Duplicate user');
  room.members.set(userId, ws);
  const ts = new Date().toISOString();
  for (const [other, peer] of room.members) {
    if (evented(peer)) {
      peer.send(JSON.stringify(other === userId
        ? { type: 'snapshot', roomId, ...snapshot(room), limits: { maxUsers: 100 } }
        : { type: 'join', userId, ts }));
    } else {
      peer.send(JSON.stringify(snapshot(room)));
    }
  }
  ws.on('message', (data) => {
    let text = data.toString(), id;
    if (ws.protocol === EVENTS_V2) ({ id, msg: text } = JSON.parse(text));  // {"id","msg"}
    const message = { userId, msg: text, ts: new Date().toISOString(), ...(id ? { id } : {}) };
    room.messages.push(message);
    for (const peer of room.members.values()) {
      deliveries += 1;
      if (deliveries % dropEvery === 0) continue;  // the bug under test
      peer.send(JSON.stringify(evented(peer) ? { type: 'message', ...message } : snapshot(room)));
    }
  });
  ws.on('close', () => {
    room.members.delete(userId);
    for (const peer of room.members.values()) {
      peer.send(JSON.stringify(evented(peer) ? { type: 'leave', userId, ts } : snapshot(room)));
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`lossy session server on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
