// Draws each dashboard's panels as one SVG, from Prometheus's query_range
// API: the picture an SRE would see in Grafana, for people without one.
//   node dashboards/render.mjs [--prometheus http://127.0.0.1:9090] [--minutes 30]
//                              [--out artifacts/dashboards] [--rate-interval 20s]
// Writes <dashboard>.svg for each dashboard in dashboards/grafana/ and an
// index.html showing them all.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DASHBOARD_FILES = ['fleet.json', 'session-servers.json', 'backend.json', 'loadtest.json'];

export function loadDashboards() {
  return DASHBOARD_FILES.map((file) => ({
    file, json: JSON.parse(fs.readFileSync(path.join(here, 'grafana', file), 'utf8')),
  }));
}

// The query Grafana would send with every variable at "All".
export function substitute(expr, { rateInterval = '1m' } = {}) {
  return expr.replaceAll('$__rate_interval', rateInterval).replaceAll('=~"$instance"', '=~".*"')
    .replaceAll('${datasource}', '');
}

export async function queryRange(prometheusUrl, expr, start, end, step) {
  const url = new URL('/api/v1/query_range', prometheusUrl);
  url.search = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
  const res = await fetch(url);
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${expr}: ${body.errorType}: ${body.error}`);
  return body.data.result;  // [{ metric, values: [[t, "v"], ...] }]
}

export function legend(format, metric) {
  return (format || '{{__name__}}').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => metric[name] ?? '');
}

// --- drawing -----------------------------------------------------------------
const COLUMN = 50, ROW = 32, PAD = 6;
const COLOURS = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0',
  '#508642', '#cca300'];
const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function formatValue(value, unit) {
  if (!Number.isFinite(value)) return '-';
  const scaled = (v, steps, suffixes) => {
    let i = 0;
    while (Math.abs(v) >= steps && i < suffixes.length - 1) { v /= steps; i++; }
    return `${+v.toPrecision(3)}${suffixes[i]}`;
  };
  switch (unit) {
    case 's':
      if (value === 0) return '0';
      if (Math.abs(value) < 1e-3) return `${+(value * 1e6).toPrecision(3)} µs`;
      if (Math.abs(value) < 1) return `${+(value * 1e3).toPrecision(3)} ms`;
      return `${+value.toPrecision(3)} s`;
    case 'bytes': return scaled(value, 1024, [' B', ' KiB', ' MiB', ' GiB']);
    case 'Bps': return scaled(value, 1024, [' B/s', ' KiB/s', ' MiB/s', ' GiB/s']);
    case 'percentunit': return `${+(value * 100).toPrecision(3)}%`;
    case 'ops': case 'reqps': return `${scaled(value, 1000, ['', 'k', 'M'])}/s`;
    default: return scaled(value, 1000, ['', 'k', 'M', 'G']);
  }
}

function drawPanel(panel, series, start, end) {
  const { x, y, w, h } = panel.gridPos;
  const left = x * COLUMN + PAD, top = y * ROW + PAD, width = w * COLUMN - 2 * PAD, height = h * ROW - 2 * PAD;
  const unit = panel.fieldConfig?.defaults?.unit;
  const parts = [`<g><rect x="${left}" y="${top}" width="${width}" height="${height}" rx="3" fill="#181b1f" stroke="#2c3235"/>`,
    `<text x="${left + 8}" y="${top + 18}" class="title">${escape(panel.title)}</text>`];
  const legendRows = Math.min(series.length, 4);
  const plot = { left: left + 58, top: top + 28, width: width - 70, height: height - 50 - legendRows * 13 };
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  if (values.length === 0) {
    parts.push(`<text x="${left + width / 2}" y="${top + height / 2}" class="nodata">No data</text></g>`);
    return parts.join('');
  }
  const low = Math.min(0, ...values);
  let high = Math.max(...values);
  if (high === low) high = low + 1;
  const px = (t) => plot.left + ((t - start) / (end - start)) * plot.width;
  const py = (v) => plot.top + plot.height - ((v - low) / (high - low)) * plot.height;
  for (const [v, label] of [[low, formatValue(low, unit)], [high, formatValue(high, unit)]]) {
    parts.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${py(v)}" y2="${py(v)}" class="grid"/>`,
      `<text x="${plot.left - 4}" y="${py(v) + 4}" class="axis" text-anchor="end">${escape(label)}</text>`);
  }
  const time = (t) => new Date(t * 1000).toISOString().slice(11, 19);
  parts.push(`<text x="${plot.left}" y="${plot.top + plot.height + 12}" class="axis">${time(start)}</text>`,
    `<text x="${plot.left + plot.width}" y="${plot.top + plot.height + 12}" class="axis" text-anchor="end">${time(end)} UTC</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    // A gap (no sample, or NaN) breaks the line, as in Grafana.
    let d = '', pen = 'M';
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) { pen = 'M'; continue; }
      d += `${pen}${px(t).toFixed(1)},${py(v).toFixed(1)}`;
      pen = 'L';
    }
    parts.push(`<path d="${d}" stroke="${colour}" fill="none" stroke-width="1.5"/>`);
    if (i < legendRows) {
      const last = [...s.points].reverse().find(([, v]) => Number.isFinite(v));
      const ly = plot.top + plot.height + 26 + i * 13;
      const more = i === legendRows - 1 && series.length > legendRows ? ` (+${series.length - legendRows} more)` : '';
      parts.push(`<rect x="${left + 10}" y="${ly - 8}" width="10" height="3" fill="${colour}"/>`,
        `<text x="${left + 26}" y="${ly}" class="legend">${escape(s.name)}: ${escape(formatValue(last?.[1], unit))}${escape(more)}</text>`);
    }
  });
  parts.push('</g>');
  return parts.join('');
}

// One SVG for a dashboard over [start, end] (unix seconds). rateInterval
// stands for Grafana's $__rate_interval (four scrape intervals of 5 s).
export async function renderDashboard(dashboard, prometheusUrl, start, end, { rateInterval = '20s' } = {}) {
  const step = Math.max(1, Math.round((end - start) / 240));
  const bottom = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  const width = 24 * COLUMN, height = bottom * ROW + 40;
  const parts = [];
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') {
      parts.push(`<text x="${PAD + 4}" y="${panel.gridPos.y * ROW + 40 + 22}" class="row">${escape(panel.title)}</text>`);
      continue;
    }
    const series = [];
    for (const target of panel.targets) {
      const expr = substitute(target.expr, { rateInterval });
      for (const result of await queryRange(prometheusUrl, expr, start, end, step)) {
        series.push({ name: legend(target.legendFormat, result.metric),
          points: result.values.map(([t, v]) => [t, Number(v)]) });
      }
    }
    parts.push(`<g transform="translate(0,40)">${drawPanel(panel, series, start, end)}</g>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<style>.title{fill:#ccccdc;font-size:13px;font-weight:600}.row{fill:#ccccdc;font-size:15px;font-weight:600}
.axis{fill:#8e8e9e;font-size:10px}.legend{fill:#ccccdc;font-size:10px}.nodata{fill:#8e8e9e;font-size:13px;text-anchor:middle}
.grid{stroke:#2c3235;stroke-width:1}.heading{fill:#ffffff;font-size:17px;font-weight:600}</style>
<rect width="100%" height="100%" fill="#111217"/>
<text x="${PAD + 4}" y="26" class="heading">${escape(dashboard.title)}</text>
${parts.join('\n')}
</svg>
`;
}

export async function renderAll(prometheusUrl, start, end, outDir, options = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const { file, json } of loadDashboards()) {
    const svg = path.join(outDir, file.replace(/\.json$/, '.svg'));
    fs.writeFileSync(svg, await renderDashboard(json, prometheusUrl, start, end, options));
    written.push(svg);
  }
  const index = path.join(outDir, 'index.html');
  fs.writeFileSync(index, `<!doctype html><meta charset="utf-8"><title>Chat dashboards</title>
<body style="background:#111217;margin:0">${written.map((f) => `<img src="${path.basename(f)}" style="display:block;max-width:100%">`).join('\n')}</body>
`);
  return [...written, index];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  if (process.argv.includes('--help')) {
    console.log('Usage: node dashboards/render.mjs [--prometheus URL] [--minutes N] [--out DIR]\n' +
      '                                [--rate-interval 20s]  ($__rate_interval: 4 scrape intervals)');
    process.exit(0);
  }
  const end = Math.floor(Date.now() / 1000);
  const start = end - Number(arg('--minutes', 30)) * 60;
  const out = path.resolve(arg('--out', path.join(here, '..', 'artifacts', 'dashboards')));
  const files = await renderAll(arg('--prometheus', 'http://127.0.0.1:9090'), start, end, out,
    { rateInterval: arg('--rate-interval', '20s') });
  for (const f of files) console.log(`render: wrote ${path.relative(process.cwd(), f)}`);
}
