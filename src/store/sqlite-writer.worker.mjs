// Plain JavaScript on purpose: the worker is started from src/ under the test runner and from
// dist/ in production, and a worker thread cannot load TypeScript. It knows no schema: it runs the
// statements the request thread compiled with Kysely, all of one message in one transaction.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const MAX_CACHED_STATEMENTS = 64;

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma(`busy_timeout = ${Number(workerData.busyTimeoutMs) || 5000}`);

const cache = new Map();
function prepared(sql) {
  let statement = cache.get(sql);
  if (!statement) {
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value);
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

const runAll = db.transaction((statements) => {
  for (const { sql, rows } of statements) {
    const statement = prepared(sql);
    for (const parameters of rows) statement.run(parameters);
  }
});

parentPort.on('message', ({ id, statements }) => {
  try {
    runAll(statements);
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
