// The webhook Alertmanager notifies (dashboards/alertmanager.yml): it prints
// one line per alert and appends each notification, as received, to a JSON
// lines file, so a person or a test can read what would have paged.
//   node dashboards/alert_sink.mjs [--port 9095] [--out alerts.jsonl]
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

// Resolves once listening: { port, notifications, waitFor(predicate, ms), close() }.
// Each notification is { receiver: "page" | "ticket", body } with Alertmanager's
// webhook payload as body.
export function startAlertSink({ port = 0, out, print = false } = {}) {
  const notifications = [];
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      let body;
      try { body = JSON.parse(text); } catch { res.writeHead(400).end('not JSON\n'); return; }
      const notification = { receiver: req.url.replace(/^\//, ''), received: new Date().toISOString(), body };
      notifications.push(notification);
      if (out) fs.appendFileSync(out, `${JSON.stringify(notification)}\n`);
      if (print) {
        for (const alert of body.alerts ?? []) {
          const where = alert.labels.instance ?? alert.labels.job ?? '';
          console.log(`alert-sink: [${notification.receiver}] ${alert.status} ${alert.labels.alertname}` +
            ` ${where}: ${alert.annotations?.summary ?? ''}`);
        }
      }
      for (const waiter of waiters) waiter();
      res.writeHead(200).end('ok\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      port: server.address().port,
      notifications,
      // Resolves with the first notification that matches, or rejects after timeoutMs.
      waitFor(predicate, timeoutMs) {
        return new Promise((resolveWait, rejectWait) => {
          const check = () => {
            const found = notifications.find(predicate);
            if (!found) return false;
            waiters.delete(check);
            clearTimeout(timer);
            resolveWait(found);
            return true;
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            rejectWait(new Error(`no matching notification in ${timeoutMs} ms; got ` +
              JSON.stringify(notifications.map((n) => n.body.alerts?.map((a) => a.labels.alertname)))));
          }, timeoutMs);
          if (!check()) waiters.add(check);
        });
      },
      close: () => new Promise((r) => server.close(() => r())),
    }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const sink = await startAlertSink({ port: Number(arg('--port', 9095)), out: arg('--out'), print: true });
  console.log(`alert-sink: listening on http://127.0.0.1:${sink.port}/ (page, ticket)`);
}
