'use strict';
/**
 * CPU profiling of a process under test without touching its code: `node -r bench/lib/cpuprofile.js app.js`
 * with BENCH_CPU_PROFILE=<file> (`%p` in it becomes the pid) starts V8's sampling profiler at load and writes the profile when the
 * process gets SIGTERM (before the app's own shutdown hooks run). `summarize(file)` turns a .cpuprofile into
 * the top functions by self time and a split by where the code lives.
 */
const fs = require('node:fs');
const path = require('node:path');

function installProfiler(file) {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms, V8's default: at 200 µs the sampling itself took about a third more CPU per webhook of the ingress
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROFILE_INTERVAL_US) || 1000 });
  session.post('Profiler.start');
  let written = false;
  process.prependListener('SIGTERM', () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, res) => {
      if (!err) fs.writeFileSync(file.replace('%p', String(process.pid)), JSON.stringify(res.profile));
    });
  });
}

if (process.env.BENCH_CPU_PROFILE && require.main !== module && !module.parent?.filename?.includes(`${path.sep}bench${path.sep}`)) {
  installProfiler(process.env.BENCH_CPU_PROFILE);
}

function where(url) {
  if (!url) return 'V8/native';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/dist\/(apps\/[^/]+|libs\/[^/]+)\/src\/(.*)$/.exec(url);
  if (m) return `hookline ${m[1]}`;
  return path.basename(url);
}

/**
 * window: [fromUs, toUs] on the monotonic clock (process.hrtime in µs, which V8's profiler timestamps use on
 * Linux): only samples taken in it count. Without samples in the window, the whole profile is used
 * (`windowed: false`).
 */
function summarize(file, top = 20, window = undefined) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  let inWindow = () => true;
  let windowed = false;
  if (window) {
    let t = profile.startTime;
    const hits = profile.timeDeltas.filter((dt) => ((t += dt || 0), t >= window[0] && t <= window[1])).length;
    if (hits > 0) {
      windowed = true;
      let at = profile.startTime;
      const times = profile.timeDeltas.map((dt) => (at += dt || 0));
      inWindow = (i) => times[i] >= window[0] && times[i] <= window[1];
    }
  }
  for (let i = 0; i < profile.samples.length; i++) {
    if (!inWindow(i)) continue;
    const dt = profile.timeDeltas[i] || 0;
    const n = byId.get(profile.samples[i]);
    if (!n) continue;
    self.set(n.id, (self.get(n.id) || 0) + dt);
    total += dt;
  }
  const fns = new Map();
  const places = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    const rel = cf.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/');
    const key = `${cf.functionName || '(anonymous)'} ${rel ? `${rel}:${cf.lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) || 0) + us);
    const w = ['(idle)', '(program)', '(garbage collector)'].includes(cf.functionName) ? cf.functionName : where(cf.url);
    places.set(w, (places.get(w) || 0) + us);
  }
  const pct = (us) => Math.round((us / total) * 1000) / 10;
  const sort = (m) => [...m].sort((a, b) => b[1] - a[1]);
  const idleUs = places.get('(idle)') || 0;
  return {
    file: path.relative(path.resolve(__dirname, '..', '..'), file),
    windowed,
    sampledMs: Math.round(total / 1000),
    busyMs: Math.round((total - idleUs) / 1000),
    topSelf: sort(fns).slice(0, top).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: pct(us) })),
    byPlace: sort(places).slice(0, 15).map(([place, us]) => ({ place, ms: Math.round(us / 1000), pct: pct(us) })),
  };
}

module.exports = { summarize, installProfiler };

if (require.main === module) console.log(JSON.stringify(summarize(process.argv[2], Number(process.argv[3] || 25)), null, 2));
