import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteWriter } from './sqlite-writer.js';

describe('SqliteWriter (a real worker thread on a real SQLite file)', () => {
  let dir: string;
  let file: string;
  let reader: Database.Database;
  let writer: SqliteWriter;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-writer-'));
    file = join(dir, 'db.sqlite');
    reader = new Database(file);
    reader.pragma('journal_mode = WAL');
    reader.exec('create table t (id integer primary key, name text not null unique)');
    writer = new SqliteWriter(file);
  });

  afterEach(async () => {
    await writer.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = () => (reader.prepare('select name from t order by id').all() as { name: string }[]).map((r) => r.name);

  it('runs every statement of a transaction, visible to another connection once it resolves', async () => {
    await writer.transaction([
      { sql: 'insert into t (id, name) values (?, ?)', rows: [[1, 'a'], [2, 'b']] },
      { sql: 'update t set name = ? where id = ?', rows: [['b2', 2]] },
    ]);
    expect(names()).toEqual(['a', 'b2']);
  });

  it('rolls the whole transaction back when one statement fails, and keeps serving', async () => {
    await writer.transaction([{ sql: 'insert into t (id, name) values (?, ?)', rows: [[1, 'a']] }]);
    await expect(
      writer.transaction([
        { sql: 'insert into t (id, name) values (?, ?)', rows: [[2, 'b']] },
        { sql: 'insert into t (id, name) values (?, ?)', rows: [[3, 'a']] },
      ]),
    ).rejects.toThrow(/UNIQUE constraint failed/);
    expect(names()).toEqual(['a']);
    await writer.transaction([{ sql: 'insert into t (id, name) values (?, ?)', rows: [[2, 'c']] }]);
    expect(names()).toEqual(['a', 'c']);
  });

  it('keeps concurrent transactions in the order they were submitted', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => writer.transaction([{ sql: 'insert into t (id, name) values (?, ?)', rows: [[i + 1, `n${i}`]] }]));
    await Promise.all(writes);
    expect(names()).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
  });

  it('refuses writes after close', async () => {
    await writer.close();
    await expect(writer.transaction([{ sql: 'insert into t (id, name) values (?, ?)', rows: [[1, 'a']] }])).rejects.toThrow(/closed/);
  });
});
