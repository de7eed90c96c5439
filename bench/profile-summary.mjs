// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by package and by
// function, and inclusive time of the gateway's own functions, so tuning follows the profile.
//   node bench/profile-summary.mjs bench/profiles/<file>.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true });
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}
const TOP = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
const idleUs = [...self.entries()].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
const busyUs = totalUs - idleUs;

function category(cf) {
  const url = cf.url ?? '';
  if (!url) return cf.functionName.startsWith('(') ? cf.functionName : '(native/builtin)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `switchboard:${url.slice(dist + 6).split('/')[0]}`;
  return url;
}
const label = (cf) => `${cf.functionName || '(anonymous)'} ${(cf.url ?? '').replace(/^.*\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber + 1}`;

const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);
const byCat = new Map();
const byFn = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  if (cf.functionName === '(idle)') continue;
  add(byCat, category(cf), us);
  add(byFn, label(cf), us);
}

// Inclusive time of our own functions: each sample counts once per distinct frame on its stack.
const incl = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    if (!(cf.url ?? '').includes('/dist/')) continue;
    const key = label(cf);
    if (seen.has(key)) continue;
    seen.add(key);
    add(incl, key, us);
  }
}

const pct = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(v)} ${ms(v)}  ${k}`);
};
console.log(`profile: ${(totalUs / 1e6).toFixed(1)} s sampled, busy ${(busyUs / 1e6).toFixed(1)} s (percentages are of busy time)`);
print('self time by package', byCat, TOP);
print('self time by function', byFn, TOP);
print('inclusive time, gateway code (dist/)', incl, TOP);
