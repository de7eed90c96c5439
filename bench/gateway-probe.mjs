// Preloaded into the gateway process by the benchmark only (`node --import ./bench/gateway-probe.mjs
// dist/main.js …`), so measuring the heap needs no debug endpoint or env switch in production code.
// It talks over the IPC channel the runner opens; without one (a normal start) it does nothing.
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (typeof process.send === 'function') {
  // Event-loop delay: how long a ready callback waited. A synchronous stall (a big flush, a GC
  // pause) shows up here as a large max, long before it is visible in averages.
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.cmd === 'eld') {
      const ms = (ns) => ns / 1e6;
      process.send({ type: 'eld', id: msg.id, memory: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean) } });
      eld.reset();
    } else if (msg.cmd === 'memory') {
      process.send({ type: 'memory', id: msg.id, memory: process.memoryUsage() });
    } else if (msg.cmd === 'exit') {
      // A normal exit, unlike a signal, lets `--cpu-prof` write its profile.
      process.exit(0);
    }
  });
  // The server keeps the process alive; the channel alone must not.
  process.channel?.unref();
}
