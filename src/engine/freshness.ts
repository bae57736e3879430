/**
 * The freshness promise: every item has a `last_confirmed_at` (when a POS count for it last
 * arrived, changed or not: a poll, a registration, a webhook; derived in core/freshness.ts, as a
 * poll that changes nothing writes no row); an item not confirmed within its
 * account's maximum age is stale. The maximum age comes from the account's MaxItemAgeSeconds,
 * else Synchronizer.MaxItemAgeSeconds, else twice the poll interval of the schedule in force.
 * Status, metrics, health and the dashboard all read it from here.
 */
import type { AccountConfig } from '../pos/accounts.ts';
import type { ScheduleConfig } from '../config/types.ts';
import { pollIntervalSeconds } from '../config/schedule.ts';
import { staleItemCounts } from '../core/mappings.ts';
import type { SqlQueryable } from '../core/sql.ts';

export type MaxAgeSource = 'account' | 'config' | 'schedule';

export interface AccountFreshness {
  accountId: string;
  maxItemAgeSeconds: number;
  /** Where the maximum age came from: the account's key, Synchronizer's key, or the schedule. */
  maxAgeSource: MaxAgeSource;
  items: number;
  staleItems: number;
  neverConfirmed: number;
  oldestConfirmedAt: string | null;
}

/** Used when the schedule gives no interval (a cron that fires once): a day. */
const FALLBACK_MAX_AGE_SECONDS = 24 * 3600;

export function maxItemAge(
  account: Pick<AccountConfig, 'maxItemAgeSeconds'>,
  defaults: Pick<ScheduleConfig, 'maxItemAgeSeconds'>,
  schedule: { cron: string; timeZone: string },
): { seconds: number; source: MaxAgeSource } {
  if (account.maxItemAgeSeconds !== undefined) return { seconds: account.maxItemAgeSeconds, source: 'account' };
  if (defaults.maxItemAgeSeconds !== null) return { seconds: defaults.maxItemAgeSeconds, source: 'config' };
  const interval = pollIntervalSeconds(schedule.cron, schedule.timeZone);
  return { seconds: interval === null ? FALLBACK_MAX_AGE_SECONDS : 2 * interval, source: 'schedule' };
}

export async function accountFreshness(
  sql: SqlQueryable,
  accounts: readonly AccountConfig[],
  defaults: Pick<ScheduleConfig, 'maxItemAgeSeconds'>,
  schedule: { cron: string; timeZone: string },
): Promise<AccountFreshness[]> {
  const ages = new Map(accounts.map((a) => [a.id, maxItemAge(a, defaults, schedule)]));
  const counts = await staleItemCounts(sql, new Map([...ages].map(([id, age]) => [id, age.seconds])));
  return counts.map((c) => ({
    accountId: c.accountId,
    maxItemAgeSeconds: ages.get(c.accountId)!.seconds,
    maxAgeSource: ages.get(c.accountId)!.source,
    items: c.items,
    staleItems: c.stale,
    neverConfirmed: c.neverConfirmed,
    oldestConfirmedAt: c.oldestConfirmedAt?.toISOString() ?? null,
  }));
}
