import { Injectable } from '@nestjs/common';
import { StoreService } from '../store/store.service.js';
import type { WriteStatement } from '../store/sqlite-writer.js';
import type { SpendLogsTable } from '../store/store.types.js';

export interface SpendLogQuery {
  readonly apiKey?: string;
  readonly requestId?: string;
  readonly model?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly offset: number;
  readonly limit: number;
}

/** Rows per INSERT: well under PostgreSQL's 65535 bind parameters at 17 columns. */
const INSERT_CHUNK = 500;

@Injectable()
export class SpendLogsRepository {
  constructor(private readonly store: StoreService) {}

  /**
   * One batch in one transaction: the log rows and each key's spend increment land together or
   * not at all, so a retried batch can never count twice.
   */
  async writeBatch(rows: readonly SpendLogsTable[], deltas: ReadonlyMap<string, number>): Promise<void> {
    await this.store.ready();
    if (this.store.canWriteOffThread) return this.store.writeOffThread(this.compileBatch(rows, deltas));
    await this.store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx.insertInto('spend_logs').values(rows.slice(i, i + INSERT_CHUNK)).execute();
      }
      for (const [token, delta] of deltas) {
        await trx
          .updateTable('virtual_keys')
          .set((eb) => ({ spend: eb('spend', '+', delta), total_spend: eb('total_spend', '+', delta) }))
          .where('token', '=', token)
          .execute();
      }
    });
  }

  /**
   * The same writes as the Kysely transaction in writeBatch, compiled once per batch for the
   * SQLite writer thread: the insert's SQL from the first row, its parameters per row in the
   * same column order.
   */
  private compileBatch(rows: readonly SpendLogsTable[], deltas: ReadonlyMap<string, number>): WriteStatement[] {
    const statements: WriteStatement[] = [];
    if (rows.length > 0) {
      const columns = Object.keys(rows[0]) as (keyof SpendLogsTable)[];
      const insert = this.store.db.insertInto('spend_logs').values(rows[0]).compile();
      statements.push({ sql: insert.sql, rows: rows.map((row) => columns.map((c) => row[c])) });
    }
    for (const [token, delta] of deltas) {
      const update = this.store.db
        .updateTable('virtual_keys')
        .set((eb) => ({ spend: eb('spend', '+', delta), total_spend: eb('total_spend', '+', delta) }))
        .where('token', '=', token)
        .compile();
      statements.push({ sql: update.sql, rows: [update.parameters] });
    }
    return statements;
  }

  async page(q: SpendLogQuery): Promise<{ rows: SpendLogsTable[]; total: number }> {
    await this.store.ready();
    let base = this.store.db.selectFrom('spend_logs');
    if (q.apiKey !== undefined) base = base.where('api_key', '=', q.apiKey);
    if (q.requestId !== undefined) base = base.where('request_id', '=', q.requestId);
    if (q.model !== undefined) base = base.where('model', '=', q.model);
    if (q.startTime !== undefined) base = base.where('start_time', '>=', q.startTime);
    if (q.endTime !== undefined) base = base.where('start_time', '<', q.endTime);
    const [{ total }] = await base.select((eb) => eb.fn.countAll<number | string>().as('total')).execute();
    const rows = await base.selectAll().orderBy('start_time', 'desc').orderBy('id').offset(q.offset).limit(q.limit).execute();
    return { rows, total: Number(total) };
  }
}
