import { bookingWaitMs, bucketShape, levelNow, type RateBooking, type RateLimitStore } from '../pos/rate-limit-store.ts';
import type { SqlQueryable } from './sql.ts';

/**
 * A POS rate limit's bookings in the core database, so every instance sharing it books against
 * one bucket level and one sliding window of sends (see pos/rate-limit-store.ts). One short
 * transaction per request: the key's advisory lock orders instances booking at once, and the
 * database's clock is the one clock they share.
 */
export class DbRateLimitStore implements RateLimitStore {
  constructor(private readonly sql: { transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> }) {}

  book(key: string, booking: RateBooking): Promise<{ waitMs: number; level: number }> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('possync.sends'), hashtext($1))`, [key]);
      const { rows } = await tx.query<{ level: number; age_s: number; size: number; drip: number }>(
        `select level, extract(epoch from clock_timestamp() - at)::float8 as age_s, size, drip from pos_buckets where key = $1`,
        [key],
      );
      const kept = rows[0];
      const shape = bucketShape(booking, kept && { size: kept.size, dripPerSecond: kept.drip });
      const level = levelNow(kept && { level: kept.level, ageMs: kept.age_s * 1000 }, shape, booking);
      const waitMs = bookingWaitMs(level, shape, booking, booking.burst ? await this.burstWait(tx, key, booking.burst) : 0);
      if (waitMs > 0) return { waitMs, level };
      await tx.query(
        `insert into pos_buckets (key, level, at, size, drip) values ($1, $2, clock_timestamp(), $3, $4)
         on conflict (key) do update set level = excluded.level, at = excluded.at, size = excluded.size, drip = excluded.drip`,
        [key, level + booking.cost, shape.size, shape.dripPerSecond],
      );
      if (booking.burst) await tx.query('insert into pos_sends (key, sent_at) values ($1, clock_timestamp())', [key]);
      return { waitMs: 0, level: level + booking.cost };
    });
  }

  /** 0 if fewer than `limit` sends were booked in the last `windowMs`, else when the oldest leaves. */
  private async burstWait(tx: SqlQueryable, key: string, { limit, windowMs }: { limit: number; windowMs: number }): Promise<number> {
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
    return row && row.n >= limit ? Math.max(1, row.wait_ms ?? 1) : 0;
  }
}
