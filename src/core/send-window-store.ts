import type { SendWindowStore } from '../pos/send-window.ts';
import type { SqlQueryable } from './sql.ts';

/**
 * Sends to a POS rate-limit key in the core database, so every instance sharing it keeps one
 * sliding window (see pos/send-window.ts). One short transaction per send: the key's advisory lock
 * orders instances booking at once, and the database's clock is the one clock they share.
 */
export class DbSendWindowStore implements SendWindowStore {
  constructor(private readonly sql: { transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> }) {}

  book(key: string, limit: number, windowMs: number): Promise<number> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('possync.sends'), hashtext($1))`, [key]);
      const { rows } = await tx.query<{ n: number; wait_ms: number | null }>(
        `with gone as (
           delete from pos_sends where key = $1 and sent_at <= clock_timestamp() - $2 * interval '1 millisecond'
         ), live as (
           -- The newest "limit" bookings: when full, the oldest of them leaves the window first.
           select sent_at from pos_sends where key = $1 and sent_at > clock_timestamp() - $2 * interval '1 millisecond'
            order by sent_at desc limit $3
         )
         select count(*)::int as n,
                ceil(extract(epoch from (min(sent_at) + $2 * interval '1 millisecond' - clock_timestamp())) * 1000)::int as wait_ms
           from live`,
        [key, windowMs, limit],
      );
      const row = rows[0];
      if (row && row.n >= limit) return Math.max(1, row.wait_ms ?? 1);
      await tx.query('insert into pos_sends (key, sent_at) values ($1, clock_timestamp())', [key]);
      return 0;
    });
  }
}
