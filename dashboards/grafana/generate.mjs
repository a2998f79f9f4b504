// Writes the four Grafana dashboards (fleet.json, session-servers.json,
// backend.json, loadtest.json) from the panel lists below, so every panel gets
// the same datasource variable, layout and legend. Run after editing:
//   node dashboards/grafana/generate.mjs
// tests/monitoring/ checks that the JSON files are what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA_VERSION = 39;  // Grafana 10/11
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const RATE = '$__rate_interval';

// t(expr, legend): one query of a panel.
const t = (expr, legendFormat) => ({ expr, legendFormat });
const panel = (title, description, unit, targets, { stack = false, w = 12 } = {}) =>
  ({ title, description, unit, targets, stack, w });
const row = (title) => ({ row: title });

const fleet = {
  uid: 'chat-fleet',
  title: 'Chat / Fleet',
  description: 'The scheduler as the backend sees it: session servers by state, rooms and ' +
    'users, placement, scaling and refusals.',
  variables: [],
  panels: [
    row('Capacity'),
    panel('Session servers by state', 'Servers the scheduler knows, by state (starting, ready, ' +
      'draining, gone).', 'short',
      [t('sum by (state) (chat_scheduler_servers{job="backend"})', '{{state}}')], { stack: true, w: 8 }),
    panel('Rooms and users', 'Rooms in the scheduler\'s table and users in them, as the session ' +
      'servers report.', 'short',
      [t('sum(chat_scheduler_rooms{job="backend"})', 'rooms'),
       t('sum(chat_scheduler_users{job="backend"})', 'users')], { w: 8 }),
    panel('Free room slots on ready servers', 'Room slots left before the autoscaler must start a ' +
      'server; 0 with nothing starting means new rooms are refused.', 'short',
      [t('sum(chat_scheduler_free_room_slots{job="backend"})', 'free slots')], { w: 8 }),
    row('Placement (RED)'),
    panel('Placements by result', 'New rooms per second: placed on a ready server, waiting for a ' +
      'starting one, refused for no capacity; replaced: rooms moved off a gone server.', 'ops',
      [t(`sum by (result) (rate(chat_scheduler_placements_total{job="backend"}[${RATE}]))`, '{{result}}')],
      { stack: true, w: 8 }),
    panel('Placement latency', 'Time to place a room, waiting for a starting server included ' +
      '(p50 and p99 over 5 min).', 's',
      [t('job:chat_scheduler_placement_seconds:p50_5m{job="backend"}', 'p50'),
       t('job:chat_scheduler_placement_seconds:p99_5m{job="backend"}', 'p99')], { w: 8 }),
    panel('Refusals by reason', 'Rooms the backend refused (503, no capacity) and joins the ' +
      'session servers refused, per second by reason.', 'ops',
      [t(`sum(rate(chat_scheduler_placements_total{job="backend",result="no_capacity"}[${RATE}]))`,
        'room refused: no capacity'),
       t(`sum by (reason) (rate(chat_session_rejections_total{job="session-servers",` +
         `reason=~"server_full|room_full|duplicate_user|bad_token|draining"}[${RATE}]))`,
       'join refused: {{reason}}')], { w: 8 }),
    row('Scaling'),
    panel('Rooms waiting for a server', 'Rooms placed on a server that is still starting, per ' +
      'second: their users wait for the start.', 'ops',
      [t(`sum(rate(chat_scheduler_placements_total{job="backend",result="waiting"}[${RATE}]))`, 'waiting')],
      { w: 8 }),
    panel('Scale-out, scale-in and lost servers', 'Servers started (out) and stopped when idle ' +
      '(in), and servers lost (stopped answering its polls, found gone by a failover probe, or ' +
      'never ready), over 5 min.', 'short',
      [t('sum by (direction) (increase(chat_scheduler_scale_events_total{job="backend"}[5m]))', 'scale {{direction}}'),
       t('sum by (reason) (increase(chat_scheduler_server_failures_total{job="backend"}[5m]))', 'lost: {{reason}}')],
      { w: 8 }),
    panel('Server start latency', 'From asking the fleet for a server to it being ready (p50 and ' +
      'p99 over 10 min; blank when nothing started).', 's',
      [t('histogram_quantile(0.5, sum by (le) (rate(chat_scheduler_fleet_start_seconds_bucket{job="backend"}[10m])))', 'p50'),
       t('histogram_quantile(0.99, sum by (le) (rate(chat_scheduler_fleet_start_seconds_bucket{job="backend"}[10m])))', 'p99')],
      { w: 8 }),
    row('Drains and failover'),
    panel('Drains', 'Drains of session servers over 5 min: begun (by an operator or the ' +
      'autoscaler; begun_for_defrag: of those, the autoscaler\'s), done (rooms handed over, ' +
      'server stopped), cancelled (the server did not confirm: alert DrainCancelled), abandoned ' +
      '(the server was lost mid-drain).', 'short',
      [t('sum by (event) (increase(chat_scheduler_drains_total{job="backend"}[5m]))', '{{event}}')],
      { w: 8 }),
    panel('Rooms moved by drains', 'Rooms of drained servers over 5 min: moved (placed on ' +
      'another server), left (no free slot anywhere: placed on their next look-up).', 'short',
      [t('sum by (result) (increase(chat_scheduler_drained_rooms_total{job="backend"}[5m]))', '{{result}}')],
      { stack: true, w: 8 }),
    panel('Failover probes', 'Session servers probed at once because a client could not reach ' +
      'them, per second by result (unreachable: the server is taken as gone), and look-ups that ' +
      'started no probe (in_flight: waited for the running one; too_soon: probed just before).',
      'ops',
      [t(`sum by (result) (rate(chat_backend_failover_probes_total{job="backend"}[${RATE}]))`,
        'probe: {{result}}'),
       t(`sum by (reason) (rate(chat_backend_failover_probes_skipped_total{job="backend"}[${RATE}]))`,
        'no probe: {{reason}}'),
       t(`sum(rate(chat_scheduler_server_failures_total{job="backend",reason="probe_failed"}[${RATE}]))`,
        'servers marked gone')], { w: 8 }),
  ],
};

const I = 'instance=~"$instance"';
const sessionServers = {
  uid: 'chat-session-servers',
  title: 'Chat / Session servers',
  description: 'Every session server (pick some with the instance variable) and their total: ' +
    'traffic, errors, latency, and CPU, memory and descriptors.',
  variables: [{ name: 'instance', label: 'Instance',
    query: 'label_values(chat_session_connections{job="session-servers"}, instance)' }],
  panels: [
    row('Traffic'),
    panel('Connections', 'Open WebSocket connections per server and in total.', 'short',
      [t(`chat_session_connections{job="session-servers",${I}}`, '{{server_id}}'),
       t(`sum(chat_session_connections{job="session-servers",${I}})`, 'total')], { w: 8 }),
    panel('Rooms and users', 'Rooms held (recently emptied ones included) and users in them, in total.',
      'short',
      [t(`sum(chat_session_rooms{job="session-servers",${I}})`, 'rooms'),
       t(`sum(chat_session_users{job="session-servers",${I}})`, 'users')], { w: 8 }),
    panel('Messages in', 'Chat messages received from clients per second (accepted or not).', 'ops',
      [t(`instance:chat_session_messages_received:rate1m{${I}}`, '{{server_id}}'),
       t(`sum(instance:chat_session_messages_received:rate1m{${I}})`, 'total')], { w: 8 }),
    panel('Deliveries', 'Events and snapshots delivered to clients per second (one message to ' +
      'a room of 100 is 100 deliveries).', 'ops',
      [t(`instance:chat_session_deliveries:rate1m{${I}}`, '{{server_id}}'),
       t(`sum(instance:chat_session_deliveries:rate1m{${I}})`, 'total')], { w: 8 }),
    panel('Bytes sent', 'Payload bytes per second written to clients, per server.', 'Bps',
      [t(`sum by (server_id) (rate(chat_session_sent_bytes_total{job="session-servers",${I}}[${RATE}]))`,
        '{{server_id}}')], { w: 8 }),
    panel('Socket writes per delivery', 'Writes to client sockets per delivery: below 1 when ' +
      'events queue up for a client and go out together, which is how a busy server keeps up.',
      'short',
      [t(`sum(rate(chat_session_socket_writes_total{job="session-servers",${I}}[${RATE}])) / ` +
        `sum(rate(chat_session_deliveries_total{job="session-servers",${I}}[${RATE}]))`, 'writes / delivery')],
      { w: 8 }),
    row('Errors'),
    panel('Rejections by reason', 'Refused connections and messages per second, by reason.', 'ops',
      [t(`sum by (reason) (rate(chat_session_rejections_total{job="session-servers",${I}}[${RATE}]))`,
        '{{reason}}')], { stack: true }),
    panel('Connections dropped by the listeners', 'Connections a listener dropped or held off ' +
      'on its own per second, by listener and reason: a request too slow to arrive (slowloris), ' +
      'malformed or oversized, or a listener at its connection cap.', 'ops',
      [t(`sum by (listener, reason) (rate(chat_http_dropped_connections_total{job="session-servers",` +
        `${I}}[${RATE}]))`, '{{listener}} {{reason}}')], { stack: true }),
    panel('Slow consumers dropped', 'Clients disconnected because their send queue passed ' +
      '--send-queue-bytes-max, per server over 5 min (alert: SlowConsumersDropped).', 'short',
      [t(`sum by (server_id) (increase(chat_session_rejections_total{job="session-servers",` +
        `reason="slow_consumer",${I}}[5m]))`, '{{server_id}}')]),
    row('Latency'),
    panel('Broadcast latency', 'Time to apply one message and queue it to every member of the ' +
      'room: p99 per server, p50 and p99 of all.', 's',
      [t(`instance:chat_session_broadcast_seconds:p99_1m{${I}}`, 'p99 {{server_id}}'),
       t('job:chat_session_broadcast_seconds:p50_1m{job="session-servers"}', 'p50 all'),
       t('job:chat_session_broadcast_seconds:p99_1m{job="session-servers"}', 'p99 all')]),
    panel('Delivery latency SLO: slow broadcasts', 'Share of broadcasts over 25 ms (SLO: under ' +
      '0.1%) over 5 min and 1 h; the burn-rate alerts compare these to the budget.', 'percentunit',
      [t('job:chat_session_broadcast_slow:ratio_rate5m{job="session-servers"}', '5 min'),
       t('job:chat_session_broadcast_slow:ratio_rate1h{job="session-servers"}', '1 h')]),
    row('History (Redis) and moves'),
    panel('History store up', '1 while a server is connected to its history store (Redis), 0 ' +
      'while chat goes on from memory and acknowledged messages are not stored (alert: ' +
      'HistoryStoreDown). Servers without --redis have no line.', 'short',
      [t(`chat_history_store_up{job="session-servers",${I}}`, '{{server_id}}')], { w: 8 }),
    panel('History appends by result', 'Messages appended to Redis per second: stored, failed ' +
      '(Redis down or refusing), timed_out (no answer within --history-timeout). Alert: ' +
      'HistoryAppendsFailing over 1% not stored.', 'ops',
      [t(`sum by (result) (rate(chat_history_appends_total{job="session-servers",${I}}[${RATE}]))`,
        '{{result}}')], { stack: true, w: 8 }),
    panel('History append latency', 'From a message\'s append to Redis storing it, p50 and p99 ' +
      'of the servers picked: members get the message only after it (blank without messages).',
      's',
      [t(`histogram_quantile(0.5, sum by (le) (rate(chat_history_append_seconds_bucket{job="session-servers",` +
        `${I}}[${RATE}])))`, 'p50'),
       t(`histogram_quantile(0.99, sum by (le) (rate(chat_history_append_seconds_bucket{job="session-servers",` +
        `${I}}[${RATE}])))`, 'p99')], { w: 8 }),
    panel('History loads by result', 'Room histories read from Redis per second when a room ' +
      'comes to a server (a new placement, a move): ok, or failed (the room starts empty).', 'ops',
      [t(`sum by (result) (rate(chat_history_loads_total{job="session-servers",${I}}[${RATE}]))`,
        '{{result}}')], { stack: true, w: 8 }),
    panel('Duplicate messages', 'Messages clients sent again after a reconnect that the room ' +
      'had already accepted, per second: acknowledged, not delivered twice. A rise follows ' +
      'lost connections, kills and drains.', 'ops',
      [t(`sum by (server_id) (rate(chat_session_duplicate_messages_total{job="session-servers",` +
        `${I}}[${RATE}]))`, '{{server_id}}')], { w: 8 }),
    panel('Messages refused while rooms move', 'Messages that arrived after a drain began, per ' +
      'second (room_moving): not acknowledged, so clients send them again to the room\'s new ' +
      'server.', 'ops',
      [t(`sum by (server_id) (rate(chat_session_rejections_total{job="session-servers",` +
        `reason="room_moving",${I}}[${RATE}]))`, '{{server_id}}')], { w: 8 }),
    row('Saturation (USE)'),
    panel('CPU', 'CPU time per second of each server (1 = one core busy).', 'percentunit',
      [t(`rate(process_cpu_seconds_total{job="session-servers",${I}}[${RATE}])`, '{{server_id}}')], { w: 8 }),
    panel('Resident memory', 'Resident memory of each server.', 'bytes',
      [t(`process_resident_memory_bytes{job="session-servers",${I}}`, '{{server_id}}')], { w: 8 }),
    panel('Open file descriptors', 'Descriptors open (one a connection) against the limit ' +
      '(alert: FileDescriptorsNearLimit at 80%).', 'percentunit',
      [t(`process_open_fds{job="session-servers",${I}} / process_max_fds{job="session-servers",${I}}`,
        '{{server_id}}')], { w: 8 }),
    panel('Send queues', 'Bytes waiting to be written to clients, in all, and in the fullest ' +
      'client\'s queue (past --send-queue-bytes-max that client is dropped as too slow).', 'bytes',
      [t(`sum(chat_session_send_queue_bytes{job="session-servers",${I}})`, 'waiting, all clients'),
       t(`max(chat_session_send_queue_bytes_largest{job="session-servers",${I}})`, 'fullest client')],
      { w: 24 }),
  ],
};

const backend = {
  uid: 'chat-backend',
  title: 'Chat / Backend',
  description: 'The backend\'s HTTP API: rate, errors and duration by route, refusals, and ' +
    'the process itself.',
  variables: [],
  panels: [
    row('Requests (RED)'),
    panel('Requests by route and status', 'Requests answered per second, by route and status code.',
      'reqps', [t('sum by (route, code) (route_code:chat_backend_http_requests:rate1m{job="backend"})',
        '{{route}} {{code}}')], { stack: true }),
    panel('Latency by route', 'Time to answer a request: p99 over 5 min by route.', 's',
      [t('route:chat_backend_http_request_seconds:p99_5m{job="backend"}', 'p99 {{route}}')]),
    // A status code is a series only once answered: "or vector(0)" and "or ... * 0"
    // show 0 while nothing failed, instead of an empty panel.
    panel('API error ratio (5xx)', 'Share of /api requests answered 5xx (alert: ' +
      'BackendHigh5xxRate at 5%).', 'percentunit',
      [t(`(sum(rate(chat_backend_http_requests_total{job="backend",route=~"/api/.*",code=~"5.."}[${RATE}]))` +
        ' or vector(0)) / ' +
        `sum(rate(chat_backend_http_requests_total{job="backend",route=~"/api/.*"}[${RATE}]))`, '5xx')]),
    panel('Refusals: 429 and 503', 'API requests refused per second, by route: 429 (admission ' +
      'control) and 503 (no session server has room).', 'reqps',
      [t(`sum by (route) (rate(chat_backend_http_requests_total{job="backend",route=~"/api/.*",code=~"429|503"}[${RATE}]))` +
        ` or sum by (route) (rate(chat_backend_http_requests_total{job="backend",route=~"/api/.*"}[${RATE}])) * 0`,
        '{{route}}')]),
    panel('Admission refusals by limit', 'Requests refused with 429 per second, by the limit they ' +
      'hit (logins, room creations, look-ups; per address or per user). Alert: BackendHigh429Rate.',
      'reqps',
      [t(`sum by (limit) (rate(chat_backend_admission_refusals_total{job="backend"}[${RATE}]))`, '{{limit}}')],
      { stack: true, w: 24 }),
    panel('Connections dropped by the listeners', 'Connections the public and admin listeners ' +
      'dropped or held off on their own per second, by reason: a request too slow to arrive ' +
      '(slowloris), malformed or oversized, or a listener at its connection cap.', 'ops',
      [t(`sum by (listener, reason) (rate(chat_http_dropped_connections_total{job="backend"}[${RATE}]))`,
        '{{listener}} {{reason}}')], { stack: true, w: 24 }),
    row('Process (USE)'),
    panel('CPU', 'CPU time per second (1 = one core busy).', 'percentunit',
      [t(`rate(process_cpu_seconds_total{job="backend"}[${RATE}])`, 'cpu')], { w: 8 }),
    panel('Resident memory', 'Resident memory of the backend.', 'bytes',
      [t('process_resident_memory_bytes{job="backend"}', 'rss')], { w: 8 }),
    panel('Open file descriptors', 'Descriptors open against the limit.', 'percentunit',
      [t('process_open_fds{job="backend"} / process_max_fds{job="backend"}', 'fds')], { w: 8 }),
  ],
};

const loadtest = {
  uid: 'chat-loadtest',
  title: 'Chat / Load test',
  description: 'A load generator run (bazel run //loadgen -- ... --metrics-port 9105) beside ' +
    'what the servers saw: bots, messages, deliveries, latency, errors.',
  variables: [],
  panels: [
    row('Load'),
    panel('Bots connected', 'Bots joined to a room now.', 'short',
      [t('sum(loadgen_bots_connected{job="loadgen"})', 'bots')], { w: 8 }),
    panel('Messages sent and delivered', 'Messages the bots sent and received per second, beside ' +
      'the messages and deliveries the session servers counted.', 'ops',
      [t(`sum(rate(loadgen_messages_sent_total{job="loadgen"}[${RATE}]))`, 'sent (loadgen)'),
       t(`sum(rate(loadgen_messages_delivered_total{job="loadgen"}[${RATE}]))`, 'delivered (loadgen)'),
       t('sum(job:chat_session_messages_received:rate1m{job="session-servers"})', 'received (servers)'),
       t('sum(job:chat_session_deliveries:rate1m{job="session-servers"})', 'deliveries (servers)')],
      { w: 16 }),
    row('Quality'),
    panel('Delivery latency', 'From a bot\'s send to another member\'s receipt: p50, p90, p99 ' +
      'over 1 min.', 's',
      [t('job:loadgen_delivery_latency_seconds:p50_1m{job="loadgen"}', 'p50'),
       t('job:loadgen_delivery_latency_seconds:p90_1m{job="loadgen"}', 'p90'),
       t('job:loadgen_delivery_latency_seconds:p99_1m{job="loadgen"}', 'p99')]),
    panel('Errors by kind', 'Errors the bots met per second, by kind (a WebSocket close code, ' +
      'an HTTP status of a call).', 'ops',
      [t(`sum by (kind) (rate(loadgen_errors_total{job="loadgen"}[${RATE}]))`, '{{kind}}')]),
    panel('Missing deliveries', 'Deliveries lost so far (a joined member skipped a message and ' +
      'never got it; the goal is 0), beside those still owed to joined members (in flight, or ' +
      'lost).', 'short',
      [t('sum(loadgen_deliveries_missing{job="loadgen"})', 'lost'),
       t('sum(loadgen_deliveries_outstanding{job="loadgen"})', 'owed')], { w: 24 }),
  ],
};

function variable({ name, label, query }) {
  return {
    name, label, type: 'query', datasource: DATASOURCE, query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: query, refresh: 2, includeAll: true, multi: true, allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] }, sort: 1,
  };
}

function toGrafana(dashboard) {
  let id = 1, x = 0, y = 0, rowHeight = 0;
  const panels = [];
  for (const p of dashboard.panels) {
    if (p.row) {
      if (x > 0) { y += rowHeight; x = 0; }
      panels.push({ id: id++, type: 'row', title: p.row, collapsed: false, panels: [],
        gridPos: { h: 1, w: 24, x: 0, y } });
      y += 1;
      rowHeight = 0;
      continue;
    }
    if (x + p.w > 24) { y += rowHeight; x = 0; }
    panels.push({
      id: id++, type: 'timeseries', title: p.title, description: p.description, datasource: DATASOURCE,
      gridPos: { h: 8, w: p.w, x, y },
      fieldConfig: {
        defaults: {
          unit: p.unit, min: 0,
          custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: p.stack ? 30 : 10, showPoints: 'never',
            stacking: { mode: p.stack ? 'normal' : 'none', group: 'A' } },
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' } },
      targets: p.targets.map((target, i) => ({
        refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: target.expr,
        legendFormat: target.legendFormat, range: true,
      })),
    });
    x += p.w;
    rowHeight = Math.max(rowHeight, 8);
  }
  return {
    uid: dashboard.uid, title: dashboard.title, description: dashboard.description,
    tags: ['chat'], editable: true, graphTooltip: 1, timezone: 'browser', refresh: '10s',
    schemaVersion: SCHEMA_VERSION, version: 1, time: { from: 'now-1h', to: 'now' },
    annotations: { list: [] },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus',
          current: {}, hide: 0, refresh: 1, regex: '' },
        ...dashboard.variables.map(variable),
      ],
    },
    panels,
  };
}

export const dashboards = { fleet, 'session-servers': sessionServers, backend, loadtest };

export function generate() {
  return Object.fromEntries(Object.entries(dashboards)
    .map(([name, d]) => [`${name}.json`, `${JSON.stringify(toGrafana(d), null, 2)}\n`]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(generate())) fs.writeFileSync(path.join(here, file), text);
  console.log(`wrote ${Object.keys(dashboards).length} dashboards to ${path.relative(process.cwd(), here) || '.'}`);
}
