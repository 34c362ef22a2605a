// The summary bench/pairs prints: node pairs-summary.mjs <rest|fanout-1000> <dir>, where <dir> holds one file of
// JSON lines per run, named <n>-<round>-<reference|atlas>. One line per round (the stand-in's figures, Atlas's, and
// their ratios), then the median ratio of each figure with its range.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sorted } from './stats.mjs';

const [scenario, dir] = process.argv.slice(2);

const rounds = new Map(); // round -> { reference: [lines], atlas: [lines] }
for (const name of readdirSync(dir)) {
  const [, round, who] = name.match(/^\d+-(\d+)-(reference|atlas)$/) ?? [];
  if (!round) continue;
  const lines = readFileSync(join(dir, name), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l));
  const r = rounds.get(round) ?? {};
  r[who] = lines;
  rounds.set(round, r);
}
const complete = [...rounds.entries()].filter(([, r]) => r.reference?.length && r.atlas?.length)
  .sort(([a], [b]) => a - b).map(([, r]) => r);
if (complete.length === 0) {
  console.log('bench/pairs: no complete round to summarize');
  process.exit(1);
}

const median = xs => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f = (x, d = 0) => x.toFixed(d);

// Each figure: a name, how to read it from a run's line, its decimals.
const figures = scenario === 'rest'
  ? [
      ['req/s', l => l.requestsPerSecond, 0],
      ['p99 ms', l => l.latencyMs.p99, 1],
      ['µs/request', l => 1e6 * l.serverCpuSeconds / l.requests, 0],
    ]
  : [
      ['delivery p99 ms', l => l.latencyMs.p99, 1],
      ['create p99 ms', l => l.httpMs.p99, 1],
      ['µs/delivery', l => l.serverCpuMicrosPerDelivery, 1],
    ];

// REST: one Atlas line per run; fanout: one per path, each compared with the stand-in's /socket.io/ line.
const paths = [...new Set(complete.flatMap(r => r.atlas.map(l => l.path ?? '')))];
const names = figures.map(([n]) => n).join(', ');
console.log(`${scenario}; Atlas: ${complete[0].atlas[0].label}`);
console.log(`round | stand-in: ${names} | ${paths.map(p => `Atlas${p ? ' ' + p : ''}: ${names} | ratios`).join(' | ')}`);
const ratios = new Map(); // path -> figure index -> [ratio per round]
complete.forEach((r, i) => {
  const ref = r.reference[0];
  const cells = [figures.map(([, get, d]) => f(get(ref), d)).join(', ')];
  for (const p of paths) {
    const a = r.atlas.find(l => (l.path ?? '') === p);
    if (!a) { cells.push('—'); continue; }
    const rs = figures.map(([, get]) => get(a) / get(ref));
    const perPath = ratios.get(p) ?? figures.map(() => []);
    rs.forEach((x, k) => perPath[k].push(x));
    ratios.set(p, perPath);
    cells.push(figures.map(([, get, d]) => f(get(a), d)).join(', ') + ' | ' + rs.map(x => f(x, 2)).join(', '));
  }
  console.log(`${i + 1} | ${cells.join(' | ')}`);
});
for (const [p, perPath] of ratios) {
  console.log(`median ratio${p ? ' ' + p : ''}: ` + figures.map(([n], k) =>
    `${n} ${f(median(perPath[k]), 2)} (${f(Math.min(...perPath[k]), 2)}–${f(Math.max(...perPath[k]), 2)})`).join(', '));
}
