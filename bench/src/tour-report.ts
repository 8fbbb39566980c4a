/**
 * The tour's picture: one horizontal bar chart per measure, models side by
 * side, as standalone SVG and in one HTML page that needs no network.
 */
import { fmt } from './harness.js';
import { TOUR_MEASURES, type TourMeasure, type TourResult, type TourRow } from './tour-models.js';

const WIDTH = 720;
const LABEL_WIDTH = 190;
const VALUE_WIDTH = 150;
const BAR_HEIGHT = 20;
const BAR_GAP = 6;
const TOP = 34;
/** One color per model, the same in every chart. */
const COLORS = ['#8c564b', '#7f7f7f', '#1f77b4', '#9467bd', '#2ca02c', '#17becf', '#bcbd22', '#d62728', '#aec7e8', '#98df8a', '#ff9896'];

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A value with a note when the model served only some of the clients. */
function valueText(measure: TourMeasure, row: TourRow, idleClients: number): string {
  const value = fmt(row[measure.key] as number, measure.digits);
  if (measure.key.endsWith('50') && !measure.key.startsWith('calls') && row.served50 < 50) return `${value} (${row.served50} of 50 served)`;
  if (measure.key === 'kBPerIdle' && row.servedIdle < idleClients) return `${value} (${row.servedIdle} of ${idleClients} served)`;
  return value;
}

/** One chart's SVG elements, `height` tall, starting at y = 0. */
function chartBody(measure: TourMeasure, result: TourResult): { body: string; height: number } {
  const rows = result.rows;
  const max = Math.max(...rows.map((r) => r[measure.key] as number), 1e-9);
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
  const parts = [
    `<text x="0" y="18" font-size="15" font-weight="bold">${escape(measure.title)}</text>`,
    `<text x="${WIDTH}" y="18" font-size="11" text-anchor="end" fill="#555">${measure.better} is better</text>`,
  ];
  rows.forEach((row, i) => {
    const y = TOP + i * (BAR_HEIGHT + BAR_GAP);
    const value = row[measure.key] as number;
    const width = Math.max(1, (value / max) * barSpace);
    const color = COLORS[Math.max(0, result.rows.indexOf(row)) % COLORS.length];
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 14}" font-size="12" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"><title>${escape(`${row.label}: ${fmt(value, measure.digits)}`)}</title></rect>`,
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 14}" font-size="12">${escape(valueText(measure, row, result.settings.idleClients))}</text>`,
    );
  });
  return { body: parts.join('\n'), height: TOP + rows.length * (BAR_HEIGHT + BAR_GAP) + 4 };
}

/** Where the figures come from, said under every chart. */
const caption = (result: TourResult): string =>
  `npm run tour, ${result.machine.date}: ${result.machine.runtime}; ${result.machine.host}; load average ${result.machine.loadAverage.toFixed(1)} at the start`;

/** A standalone SVG of `charts` stacked, with the caption at the bottom. */
function svgOf(measures: readonly TourMeasure[], result: TourResult): string {
  const groups: string[] = [];
  let y = 10;
  for (const measure of measures) {
    const chart = chartBody(measure, result);
    groups.push(`<g transform="translate(10,${y})">\n${chart.body}\n</g>`);
    y += chart.height + 20;
  }
  const height = y + 14;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + 20}" height="${height}" viewBox="0 0 ${WIDTH + 20} ${height}" font-family="Segoe UI, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...groups,
    `<text x="10" y="${height - 8}" font-size="11" fill="#555">${escape(caption(result))}</text>`,
    '</svg>\n',
  ].join('\n');
}

/** One SVG per measure, named by the measure's key. */
export function tourChart(result: TourResult): Array<{ key: string; svg: string }> {
  return TOUR_MEASURES.map((m) => ({ key: m.key, svg: svgOf([m], result) }));
}

/** The README's chart: throughput, what it costs in calls, and the threads it takes. */
export function overviewSvg(result: TourResult): string {
  const keys = ['roundTrips50', 'calls50', 'idleCallsPerSec', 'threads'];
  return svgOf(TOUR_MEASURES.filter((m) => keys.includes(m.key)), result);
}

/** The whole page: every chart, the calls each model makes, and the settings. */
export function tourPage(result: TourResult): string {
  const charts = TOUR_MEASURES.map((m) => `<section>${svgOf([m], result).replace(/^<svg /, '<svg role="img" ')}</section>`).join('\n');
  const callRows = result.rows
    .map((r) => {
      const top = Object.entries(r.callsByName50)
        .filter(([, n]) => n >= 0.01)
        .map(([name, n]) => `${escape(name)} ${fmt(n, 2)}`)
        .join(', ');
      return `<tr><td>${escape(r.label)}</td><td>${fmt(r.calls50, 1)}</td><td>${top}</td></tr>`;
    })
    .join('\n');
  const failed = result.failures.map((f) => `<li>${escape(f.label)}: ${escape(f.error)}</li>`).join('');
  const s = result.settings;
  const linux = result.rows.some((r) => r.id.startsWith('linux-'));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wsaloop: a tour of the seven Winsock I/O models${linux ? ' and the Linux models' : ''}</title>
<style>
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; max-width: 780px; margin: 2em auto; color: #222; }
section { margin: 1.5em 0; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>A tour of the seven Winsock I/O models${linux ? ', and Linux’s' : ''}</h1>
<p>Each model server of <code>examples/models</code> served the same node:net clients in turn:
ping-pong of 64 bytes over 1 and 50 connections (${s.durationMs} ms measured after ${s.warmupMs} ms),
a bulk stream of 16 KiB writes echoed back, and ${s.idleClients} idle connections that each sent 64 bytes once.
The blocking model serves one client at a time: its figures show just that.${
    linux ? ' The Linux rows are the same servers run natively on Linux: the select backend (which calls poll there), epoll and io_uring.' : ''
  }</p>
<p>${escape(caption(result))}. The tour took ${result.seconds} s.</p>
${failed ? `<p>Not measured:</p><ul>${failed}</ul>` : ''}
${charts}
<h2>Native calls per round trip, 50 connections</h2>
<p>Counted by wsaloop's own bindings on every thread of the server (<code>nativeCallCounts()</code>).</p>
<table>
<tr><th>model</th><th>total</th><th>by function</th></tr>
${callRows}
</table>
</body>
</html>
`;
}

/** One model's figures as a Markdown list, for docs/models.md (`--docs`). */
function figuresMarkdown(row: TourRow, result: TourResult): string {
  const calls = (byName: Record<string, number>): string =>
    Object.entries(byName)
      .filter(([, n]) => n >= 0.05)
      .map(([name, n]) => `\`${name}\` ${fmt(n, 1)}`)
      .join(', ');
  const served = (n: number, of: number): string => (n < of ? ` (${n} of ${of} connections served)` : '');
  return [
    `- ping-pong, 1 connection: ${fmt(row.roundTrips1)} round trips/s, p50 ${fmt(row.p50us1)} µs, p99 ${fmt(row.p99us1)} µs; ${fmt(row.calls1, 1)} native calls per round trip (${calls(row.callsByName1)})`,
    `- ping-pong, 50 connections: ${fmt(row.roundTrips50)} round trips/s${served(row.served50, 50)}, p50 ${fmt(row.p50us50)} µs, p99 ${fmt(row.p99us50)} µs; ${fmt(row.calls50, 1)} native calls per round trip (${calls(row.callsByName50)})`,
    `- bulk echo: ${fmt(row.mbPerSec, 1)} MB/s`,
    `- ${result.settings.idleClients} idle connections: ${fmt(row.kBPerIdle, 1)} kB each${served(row.servedIdle, result.settings.idleClients)}, ${row.threads} threads in the process, ${fmt(row.idleCallsPerSec)} native calls/s while idle`,
    '',
    `<small>${caption(result)}.</small>`,
  ].join('\n');
}

/**
 * `text` (docs/models.md) with each model's figures after its
 * `<!-- tour:<id> -->` marker, up to `<!-- /tour:<id> -->`: those of an
 * earlier run are replaced.
 */
export function withFigures(text: string, result: TourResult): string {
  for (const row of result.rows) {
    const marker = `<!-- tour:${row.id} -->`;
    const end = `<!-- /tour:${row.id} -->`;
    const at = text.indexOf(marker);
    if (at < 0) continue;
    const endAt = text.indexOf(end, at);
    const after = endAt < 0 ? at + marker.length : endAt + end.length;
    text = `${text.slice(0, at)}${marker}\n${figuresMarkdown(row, result)}\n${end}${text.slice(after)}`;
  }
  return text;
}
