import { Worker } from 'node:worker_threads';

/** One SQL text and the parameter lists it runs with, in order. */
export interface WriteStatement {
  readonly sql: string;
  readonly rows: readonly (readonly unknown[])[];
}

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

const WORKER_URL = new URL('./sqlite-writer.worker.mjs', import.meta.url);

/**
 * Runs write transactions on the embedded SQLite file from a worker thread with its own
 * connection. better-sqlite3 is synchronous: a 100-row spend-log batch held the event loop for
 * 3–10 ms, and every request and stream chunk in flight waited it out (bench: one-connection
 * p99 and event-loop delay max). WAL lets the request thread keep reading meanwhile; the busy
 * timeout covers the rare moment both threads write.
 *
 * The worker starts on the first write and is referenced only while a write is pending, so it
 * never keeps the process alive on its own. If it dies, pending writes are rejected (the caller
 * requeues them) and the next write starts a new one.
 */
export class SqliteWriter {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs = 5000,
  ) {}

  /** All statements in one transaction: every row lands, or none. */
  transaction(statements: readonly WriteStatement[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the SQLite writer is closed'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, statements });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error('the SQLite writer was closed before the write finished'));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file, busyTimeoutMs: this.busyTimeoutMs } });
    worker.unref();
    worker.on('message', (msg: { id: number; error?: string }) => this.settle(msg));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`the SQLite writer thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle({ id, error }: { id: number; error?: string }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    if (error === undefined) p.resolve();
    else p.reject(new Error(error));
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(err);
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}
