import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on 127.0.0.1 and a free port: every fake upstream starts this way. */
export async function listenLoopback(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export function serverUrl(server: http.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server without waiting for keep-alive sockets the gateway's pool still holds. */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Resolves once `aborts()` (a fake's count of responses the gateway closed early) reaches n; rejects after timeoutMs. */
export async function waitForAborts(aborts: () => number, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (aborts() < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} aborted upstream request(s), saw ${aborts()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
