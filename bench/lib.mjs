// Process, socket and statistics helpers for the benchmark runner.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts bench/fake-upstream.mjs and resolves once it prints its port. */
export function startFake({ chunks, intervalMs }) {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'fake-upstream.mjs'), '--chunks', String(chunks), '--interval-ms', String(intervalMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve({ child, port: JSON.parse(line).port, pid: child.pid });
      } catch (err) {
        reject(err);
      }
    });
    child.once('exit', (code) => reject(new Error(`fake upstream exited early (${code})`)));
  });
}

/**
 * Starts the production build as its own process. The probe preload answers memory queries
 * over IPC; `cpuProfDir` adds --cpu-prof (written when the runner asks the gateway to exit).
 */
export async function startGateway({ configPath, logPath, cpuProfDir, env, nodeArgs: extraNodeArgs = [], main = join(ROOT, 'dist/main.js') }) {
  const port = await freePort();
  const nodeArgs = ['--import', pathToFileURL(join(BENCH_DIR, 'gateway-probe.mjs')).href];
  if (cpuProfDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', cpuProfDir);
  nodeArgs.push(...extraNodeArgs);
  const log = openSync(logPath, 'w');
  // Its own throw-away store, never the developer's ./data or a shared database/Redis.
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-data-'));
  const child = spawn(
    process.execPath,
    [...nodeArgs, main, '--config', configPath, '--port', String(port), '--host', '127.0.0.1'],
    { cwd: ROOT, stdio: ['ignore', log, log, 'ipc'], env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', ...env } },
  );
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, sleep(100).then(() => null)]);
    if (early) throw new Error(`gateway exited during start-up (${JSON.stringify(early)}); see ${logPath}:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
    if (await isUp(`${url}/health/liveliness`)) break;
    if (Date.now() > deadline) throw new Error(`gateway did not come up within 30 s; see ${logPath}`);
  }
  let nextId = 1;
  const pending = new Map();
  child.on('message', (msg) => {
    const done = pending.get(msg?.id);
    if (done) {
      pending.delete(msg.id);
      done(msg.memory);
    }
  });
  const ask = (cmd) => {
    const id = nextId++;
    return Promise.race([
      new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ cmd, id });
      }),
      sleep(2000).then(() => null),
    ]);
  };
  return {
    child,
    pid: child.pid,
    port,
    url,
    /** process.memoryUsage() of the gateway, via the probe preload. */
    memory() {
      return ask('memory');
    },
    /** Starts counting allocated bytes and GCs in the process (probe preload). */
    allocStart() {
      return ask('alloc-start');
    },
    /** Bytes allocated and GC counts/pauses since allocStart(): { allocatedBytes, scavenges, scavengeMs, fullGcs, fullGcMs }. */
    allocStop() {
      return ask('alloc-stop');
    },
    /** Event-loop delay (ms: p50, p99, max, mean) since the previous call, via the probe preload; resets it. */
    eventLoopDelay() {
      return ask('eld');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.send({ cmd: 'exit' });
      const r = await Promise.race([exited, sleep(10_000).then(() => null)]);
      if (r) return r;
      child.kill('SIGKILL');
      return exited;
    },
  };
}

function isUp(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a process in MiB, from /proc. */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat. CPU per request
 * is far less sensitive than req/s to other work on a shared machine, so A/B comparisons of
 * a change lean on it.
 */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (100 Hz on Linux)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/**
 * ESTABLISHED TCP connections owned by `pid` whose remote port is `remotePort`: the gateway's
 * sockets to the upstream. Matching socket inodes from /proc/<pid>/fd keeps the fake's own
 * sockets and the load generator's out of the count.
 */
export function establishedTo(pid, remotePort) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* fd closed meanwhile */
    }
  }
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const rem = cols[2].split(':')[1];
      if (cols[3] === '01' && parseInt(rem, 16) === remotePort && inodes.has(cols[9])) count++;
    }
  }
  return count;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/**
 * Open-loop load: requests leave at a steady `rate` (checked every millisecond, sent in
 * proportion to elapsed time) over up to `connections` keep-alive sockets, whether or not
 * earlier ones have answered. autocannon's overallRate releases each second's quota in a
 * burst, which measures its own queueing rather than the gateway's. Latency is from send to
 * the end of the body.
 */
export function loadAtRate({ url, connections, durationS, body, headers, collect = true, rate }) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const opts = { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } };
  const latencies = [];
  let sent = 0;
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const endAt = t0 + durationS * 1000;
    const finish = () => {
      const elapsedS = (performance.now() - t0) / 1000;
      agent.destroy();
      resolve({ requests: done, rps: latencies.length / elapsedS, non2xx, errors, timeouts: 0, ...(collect ? summarize(latencies) : {}) });
    };
    const one = () => {
      sent++;
      const start = performance.now();
      const req = http.request(url, opts, (res) => {
        res.resume();
        res.on('end', () => {
          done++;
          if (res.statusCode >= 200 && res.statusCode < 300) {
            if (collect) latencies.push(performance.now() - start);
          } else non2xx++;
          if (sending === false && done + errors === sent) finish();
        });
      });
      req.on('error', () => {
        errors++;
        if (sending === false && done + errors === sent) finish();
      });
      req.end(payload);
    };
    let sending = true;
    const tick = () => {
      const now = performance.now();
      if (now >= endAt) {
        sending = false;
        clearInterval(timer);
        if (done + errors === sent) finish();
        return;
      }
      const due = Math.floor(((now - t0) / 1000) * rate);
      while (sent < due) one();
    };
    const timer = setInterval(tick, 1);
  });
}

export function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN };
}

/**
 * Runs autocannon in-process. Its own latency histogram has 1 ms resolution, too coarse for a
 * sub-millisecond overhead target, so latencies come from its per-response event (hrtime, ms
 * as a float) and percentiles are computed here over every 2xx response.
 * With `overallRate` (req/s), requests are sent at that steady rate instead (see loadAtRate).
 */
export function load({ url, connections, durationS, body, headers, collect = true, overallRate }) {
  if (overallRate) return loadAtRate({ url, connections, durationS, body, headers, collect, rate: overallRate });
  return new Promise((resolve, reject) => {
    const latencies = [];
    const inst = autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: durationS,
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      (err, result) => {
        if (err) return reject(err);
        const elapsedS = (result.finish - result.start) / 1000 || durationS;
        resolve({
          requests: result.requests.total,
          rps: latencies.length / elapsedS,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          ...(collect ? summarize(latencies) : {}),
        });
      },
    );
    inst.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (collect && statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/** One POST, for probing a route before loading it. */
export function postOnce(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * One streaming request. Measures time to the first SSE data line and to the end, and counts
 * events. `abortAfterEvents` hangs up mid-stream (the soak uses it to exercise cancellation).
 */
export function streamOnce(url, body, { agent, headers = {}, abortAfterEvents } = {}) {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const t0 = performance.now();
    let ttfc = NaN;
    let events = 0;
    let tail = '';
    let sawDone = false;
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          if (Number.isNaN(ttfc) && chunk.includes('data:')) ttfc = performance.now() - t0;
          const text = tail + chunk;
          let idx = -1;
          let from = 0;
          while ((idx = text.indexOf('\n\n', from)) !== -1) {
            events++;
            if (text.startsWith('data: [DONE]', from) || text.startsWith('event: response.completed', from) || text.startsWith('event: message_stop', from)) sawDone = true;
            from = idx + 2;
          }
          tail = text.slice(from);
          if (abortAfterEvents !== undefined && events >= abortAfterEvents) {
            req.destroy();
            resolve({ status: res.statusCode, ttfc, total: performance.now() - t0, events, complete: false, aborted: true });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode, ttfc, total: performance.now() - t0, events, complete: sawDone }));
        res.on('error', () => {});
      },
    );
    req.on('error', (err) => resolve({ status: 0, ttfc, total: performance.now() - t0, events, complete: false, error: err.message }));
    req.end(payload);
  });
}

/** `n` concurrent streams; resolves with per-stream results and the wall time of the round. */
export async function streamRound(url, body, n, opts) {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, () => streamOnce(url, body, opts)));
  return { wallMs: performance.now() - t0, results };
}
