import type { SqlQueryable } from './sql.ts';

/**
 * When each item's count was last confirmed by its POS, without a poll writing every row.
 *
 * A poll writes an item's row only when something about it changed; then `last_confirmed_at` is
 * stamped with it. A poll that read every mapped item of its account instead stores, once, when
 * its read began (`sync_runs.confirmed_at`). An item's last confirmed time is the later of the two,
 * except that a run confirms no item that is flagged missing, whose count the POS no longer gives
 * (`uncounted_since`), that was never counted, or that was mapped after the run's read began.
 * Rows entering one of those states are written anyway (a change), and freeze the derived time
 * into `last_confirmed_at` as they do (FREEZE_CONFIRMED below).
 */

/** The latest run confirmation of the item's account at or after the mapping was made. */
const RUN_CONFIRMED = (m: string) => `(
  select r.confirmed_at from sync_runs r
  where r.account_id = ${m}.account_id and r.confirmed_at is not null and r.confirmed_at >= ${m}.created_at
  order by r.confirmed_at desc limit 1)`;

/** The same for the row `m` of an UPDATE. */
export const RUN_CONFIRMED_AT = RUN_CONFIRMED('m');

/** The row's own time, or a later run confirmation where runs confirm the item at all. */
const ownOrRun = (m: string, own: string) => `(case
  when ${m}.missing_on_pos or ${m}.uncounted_since is not null or ${m}.on_hand is null then ${m}.${own}
  else greatest(${m}.${own}, ${RUN_CONFIRMED(m)}) end)`;

/** SQL for an item's last confirmed time, given the alias of its `mappings` row. */
export const lastConfirmedSql = (m = 'm') => ownOrRun(m, 'last_confirmed_at');

/**
 * When the POS read that gave the item's current count began: the row's own `on_hand_read_at`,
 * or a later run that read the same count without writing the row.
 */
export const effectiveReadAtSql = (m = 'm') => ownOrRun(m, 'on_hand_read_at');

/**
 * For an UPDATE of `mappings` (aliased `m`) that takes an item out of what runs confirm: keeps its
 * last confirmed time and read time as they were just before.
 */
export const FREEZE_CONFIRMED = `last_confirmed_at = greatest(m.last_confirmed_at, ${RUN_CONFIRMED_AT}),
  on_hand_read_at = greatest(m.on_hand_read_at, ${RUN_CONFIRMED_AT})`;

/** When the POS last confirmed this item's count; null when never (or no such item). */
export async function itemLastConfirmedAt(sql: SqlQueryable, ecommerceId: string): Promise<Date | null> {
  const { rows } = await sql.query<{ at: Date | null }>(`select ${lastConfirmedSql('m')} as at from mappings m where m.ecommerce_id = $1`, [ecommerceId]);
  return rows[0]?.at ?? null;
}

/**
 * The staleness test for an extra source (item_sources row `s`): its row is stamped each time the
 * POS counts it (source-stock.ts), so its own time is the whole story; never counted, it ages from
 * when it was added.
 */
export const sourceStaleSql = (s = 's', ageParam = '$2') =>
  `coalesce(${s}.last_confirmed_at, ${s}.created_at) < now() - (${ageParam}::double precision * interval '1 millisecond')`;

/** The staleness test: not confirmed within the age; an item never confirmed ages from its mapping. */
export const staleSql = (m = 'm', ageParam = '$2') =>
  `coalesce(${lastConfirmedSql(m)}, ${m}.created_at) < now() - (${ageParam}::double precision * interval '1 millisecond')`;

/** How many of the account's items were last confirmed longer than `maxAgeMs` ago (see staleSql). */
export async function countItemsOlderThan(sql: SqlQueryable, accountId: string, maxAgeMs: number): Promise<number> {
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) throw new RangeError(`maxAgeMs must be a number ≥ 0, got ${maxAgeMs}`);
  const { rows } = await sql.query<{ n: number }>(
    `select count(*)::int as n from mappings m where m.account_id = $1 and ${staleSql('m', '$2')}`,
    [accountId, maxAgeMs],
  );
  return rows[0]?.n ?? 0;
}
