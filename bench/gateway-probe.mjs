// Preloaded into the gateway process by the benchmark only (`node --import ./bench/gateway-probe.mjs
// dist/main.js …`), so measuring the heap needs no debug endpoint or env switch in production code.
// It talks over the IPC channel the runner opens; without one (a normal start) it does nothing.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';

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
    } else if (msg.cmd === 'alloc-start') {
      allocation.start();
      process.send({ type: 'alloc', id: msg.id, memory: {} });
    } else if (msg.cmd === 'alloc-stop') {
      process.send({ type: 'alloc', id: msg.id, memory: allocation.stop() });
    } else if (msg.cmd === 'memory') {
      process.send({ type: 'memory', id: msg.id, memory: process.memoryUsage() });
    } else if (msg.cmd === 'exit') {
      // A normal exit, unlike a signal, lets `--cpu-prof` write its profile.
      process.exit(0);
    }
  });
  // Bytes allocated over a window: what the heap grew by, plus what every GC in between freed
  // (V8's GC profiler reports the used heap before and after each collection). Also the number
  // and total pause time of scavenges (young generation) and of full collections.
  const allocation = {
    profiler: null,
    usedAtStart: 0,
    start() {
      this.profiler?.stop();
      this.profiler = new v8.GCProfiler();
      this.usedAtStart = v8.getHeapStatistics().used_heap_size;
      this.profiler.start();
    },
    stop() {
      const usedAtEnd = v8.getHeapStatistics().used_heap_size;
      const { statistics = [] } = this.profiler?.stop() ?? {};
      this.profiler = null;
      let freed = 0;
      const gc = { scavenges: 0, scavengeMs: 0, fullGcs: 0, fullGcMs: 0 };
      for (const s of statistics) {
        freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
        const ms = s.cost / 1000; // cost is in microseconds
        if (s.gcType === 'Scavenge' || s.gcType === 'MinorMarkSweep' || s.gcType === 'MinorMarkCompact') {
          gc.scavenges++;
          gc.scavengeMs += ms;
        } else {
          gc.fullGcs++;
          gc.fullGcMs += ms;
        }
      }
      return { allocatedBytes: usedAtEnd - this.usedAtStart + freed, ...gc };
    },
  };
  // The server keeps the process alive; the channel alone must not.
  process.channel?.unref();
}
