'use strict';
/**
 * Every process the benchmark starts goes through here, so that all of them are stopped when a scenario
 * ends, when the run fails, and on Ctrl-C. Output of each child goes to bench/results/logs/<name>-<pid>.log
 * (and its tail is kept for error messages); `waitForLine` waits for a log line without sleeping blindly.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { log } = require('./log');

const children = new Set();
let logDir;
let closing = false;

function setLogDir(dir) {
  logDir = dir;
  fs.mkdirSync(dir, { recursive: true });
}

/**
 * Starts `cmd args` and tracks it. opts.ipc adds an IPC channel (for our own Node children, which exit
 * when the channel closes, i.e. when this runner dies).
 */
function start(name, cmd, args, opts = {}) {
  if (closing) throw new Error(`not starting ${name}: the benchmark is stopping`);
  const stdio = ['ignore', 'pipe', 'pipe'];
  if (opts.ipc) stdio.push('ipc');
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env || process.env, stdio });
  const proc = { name, child, pid: child.pid, tail: '', exitInfo: undefined, matchers: new Set(), lineBuf: '' };
  const file = logDir && child.pid ? fs.createWriteStream(path.join(logDir, `${name}-${child.pid}.log`)) : undefined;
  const onData = (b) => {
    const s = b.toString('utf8');
    proc.tail = (proc.tail + s).slice(-6000);
    if (file) file.write(b);
    if (proc.matchers.size === 0) return;
    proc.lineBuf += s;
    let i;
    while ((i = proc.lineBuf.indexOf('\n')) >= 0) {
      const line = proc.lineBuf.slice(0, i);
      proc.lineBuf = proc.lineBuf.slice(i + 1);
      for (const m of proc.matchers) m(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  children.add(proc);
  proc.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(proc);
      proc.exitInfo = { code, signal };
      if (file) file.end();
      resolve(proc.exitInfo);
    });
    child.once('error', (err) => {
      children.delete(proc);
      proc.exitInfo = { code: -1, signal: null, error: err.message };
      resolve(proc.exitInfo);
    });
  });

  /** Resolves with the first line matching re (and the parsed JSON when the line is JSON). */
  proc.waitForLine = (re, timeoutMs, what = String(re)) =>
    new Promise((resolve, reject) => {
      const done = (fn) => {
        clearTimeout(timer);
        proc.matchers.delete(matcher);
        fn();
      };
      const matcher = (line) => {
        if (!re.test(line)) return;
        let json;
        try {
          json = JSON.parse(line);
        } catch {
          json = undefined;
        }
        done(() => resolve({ line, json }));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${name}: no "${what}" within ${timeoutMs} ms; output tail:\n${proc.tail.slice(-2000)}`))), timeoutMs);
      proc.matchers.add(matcher);
      void proc.exited.then((info) => done(() => reject(new Error(`${name} exited (${info.signal || info.code}) before "${what}"; output tail:\n${proc.tail.slice(-2000)}`))));
    });

  /** Resolves with the next IPC message for which pick(msg) is true. */
  proc.waitForMessage = (pick, timeoutMs, what) =>
    new Promise((resolve, reject) => {
      const onMsg = (msg) => {
        if (!pick(msg)) return;
        cleanup();
        resolve(msg);
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMsg);
      };
      const timer = setTimeout(() => (cleanup(), reject(new Error(`${name}: no ${what} within ${timeoutMs} ms; output tail:\n${proc.tail.slice(-2000)}`))), timeoutMs);
      child.on('message', onMsg);
      void proc.exited.then((info) => (cleanup(), reject(new Error(`${name} exited (${info.signal || info.code}) before ${what}; output tail:\n${proc.tail.slice(-2000)}`))));
    });

  /** SIGTERM (or `signal`), then SIGKILL after graceMs. Resolves when the process is gone. */
  proc.stop = async (graceMs = 10_000, signal = 'SIGTERM') => {
    if (proc.exitInfo) return proc.exitInfo;
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
    const timer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, graceMs);
    const info = await proc.exited;
    clearTimeout(timer);
    return info;
  };
  return proc;
}

/** A Node script of ours (bench/load, bench/servers) with an IPC channel. */
function startNode(name, script, args = [], opts = {}) {
  return start(name, process.execPath, [...(opts.nodeArgs || []), script, ...args], { ...opts, ipc: true });
}

/** From now on no process may start (the run is being stopped). */
function close() {
  closing = true;
}

async function stopAll(graceMs = 5000) {
  const list = [...children];
  if (list.length > 0) log(`stopping ${list.length} child process(es): ${list.map((p) => `${p.name}(${p.pid})`).join(', ')}`);
  await Promise.all(list.map((p) => p.stop(graceMs)));
}

/** Last resort on process exit: no time left to wait, so SIGKILL whatever still runs. */
function killAllSync() {
  for (const p of children) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Resident memory of a process in bytes, from /proc (Linux). */
function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

const CLOCK_TICKS = Number(require('node:child_process').spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Pids of a process's descendants (cluster workers), from /proc/<pid>/task/<tid>/children (Linux). */
function descendants(pid) {
  const out = [];
  let tasks;
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.split(' ').filter(Boolean).map(Number)) out.push(child, ...descendants(child));
  }
  return out;
}

/**
 * CPU time (user + system, ms) used so far by a process and its living descendants, from /proc/<pid>/stat.
 * The difference of two readings around a run is the CPU that run cost the server (10 ms resolution).
 */
function treeCpuMs(pid) {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      /* gone */
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

module.exports = { start, startNode, stopAll, killAllSync, close, setLogDir, rssBytes, children, treeCpuMs };

/**
 * Runs one of our child scripts with cfg as its JSON argument and returns the `result` it sends over IPC.
 * The child is killed when it does not answer within timeoutMs.
 */
async function runNodeChild(name, script, cfg, { env = {}, timeoutMs, onReady } = {}) {
  const proc = startNode(name, script, [JSON.stringify(cfg)], { env: { ...process.env, ...env } });
  try {
    if (onReady) {
      await proc.waitForMessage((m) => m && m.ready, Math.min(timeoutMs, 60_000), 'ready message');
      await onReady(proc);
    }
    const msg = await proc.waitForMessage((m) => m && m.result !== undefined, timeoutMs, 'result');
    return msg.result;
  } finally {
    await proc.stop(5000);
  }
}

module.exports.runNodeChild = runNodeChild;
