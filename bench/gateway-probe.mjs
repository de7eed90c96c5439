// Preloaded into the gateway process by the benchmark only (`node --import ./bench/gateway-probe.mjs
// dist/main.js …`), so measuring the heap needs no debug endpoint or env switch in production code.
// It talks over the IPC channel the runner opens; without one (a normal start) it does nothing.
if (typeof process.send === 'function') {
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.cmd === 'memory') {
      process.send({ type: 'memory', id: msg.id, memory: process.memoryUsage() });
    } else if (msg.cmd === 'exit') {
      // A normal exit, unlike a signal, lets `--cpu-prof` write its profile.
      process.exit(0);
    }
  });
  // The server keeps the process alive; the channel alone must not.
  process.channel?.unref();
}
