import { DEFAULT_BREAKER, type BreakerSettings } from '../config/breaker.ts';
import type { PlanItem } from '../core/run-plans.ts';
import type { SqlQueryable } from '../core/sql.ts';

/**
 * The breaker (DESIGN rule 5, issue 12): decides from a plan whether a run may be written or must
 * wait for an operator. A POS glitch (an empty or partial answer, a mass zero at the till) looks
 * like many items going to 0 or vanishing at once, or the shop's stock falling off a cliff.
 */

export interface AccountTotals {
  /** Items with a count (on hand known) before the run. */
  counted: number;
  /** Sum of their available quantities. */
  available: number;
}

export async function accountTotals(sql: SqlQueryable, accountId: string): Promise<AccountTotals> {
  const { rows } = await sql.query<{ counted: number; available: number }>(
    `select count(*) filter (where on_hand is not null)::int as counted, coalesce(sum(available), 0)::bigint::float8 as available
       from mappings where account_id = $1`,
    [accountId],
  );
  return { counted: rows[0]?.counted ?? 0, available: rows[0]?.available ?? 0 };
}

export interface PlanMeasure {
  /** Items that would go from some available to none. */
  zeroed: number;
  /** Items the POS stopped giving (flagged missing or without a count). */
  lost: number;
  /** Net fall of the account's total available (negative: a rise). */
  drop: number;
}

export function measurePlan(items: readonly PlanItem[]): PlanMeasure {
  let zeroed = 0;
  let lost = 0;
  let drop = 0;
  for (const item of items) {
    if (item.kind !== 'count') {
      lost += 1;
      continue;
    }
    if (item.before !== null && item.before > 0 && item.after === 0) zeroed += 1;
    drop += (item.before ?? 0) - (item.after ?? 0);
  }
  return { zeroed, lost, drop };
}

/** Webhook and change-poll changes journaled in the last `minutes` (they carry no run). */
export async function windowMeasure(sql: SqlQueryable, accountId: string, minutes: number): Promise<PlanMeasure> {
  const { rows } = await sql.query<{ zeroed: number; drop: number }>(
    `select count(*) filter (where before > 0 and after = 0)::int as zeroed,
            coalesce(sum(before - after) filter (where before is not null and after is not null), 0)::bigint::float8 as drop
       from stock_journal
      where account_id = $1 and run_id is null and cause in ('webhook', 'poll') and at > now() - ($2::int * interval '1 minute')`,
    [accountId, minutes],
  );
  return { zeroed: rows[0]?.zeroed ?? 0, lost: 0, drop: rows[0]?.drop ?? 0 };
}

export interface BreakerInput {
  totals: AccountTotals;
  measure: PlanMeasure;
  /** A full read whose answer held no count at all. */
  answeredNone?: boolean;
}

/** Why the run must be held, in words for the operator; null when it may be written. */
export function breakerReason(settings: BreakerSettings | undefined, input: BreakerInput): string | null {
  const b = settings ?? DEFAULT_BREAKER;
  const { totals, measure } = input;
  if (input.answeredNone && totals.counted > 0) return `the POS answered with no count for any item, and ${totals.counted} item(s) had one`;
  const gone = measure.zeroed + measure.lost;
  const what = `${measure.zeroed} item(s) would go to 0 and ${measure.lost} would be lost`;
  if (gone > b.maxZeroed) return `${what}: more than MaxZeroed (${b.maxZeroed})`;
  if (totals.counted >= b.minItems && totals.counted > 0 && gone / totals.counted > b.maxZeroedShare) {
    return `${what}: ${percent(gone / totals.counted)} of the ${totals.counted} counted items, more than MaxZeroedShare (${percent(b.maxZeroedShare)})`;
  }
  if (totals.counted >= b.minItems && totals.available > 0 && measure.drop / totals.available > b.maxDropShare) {
    return `the total available would fall from ${totals.available} to ${totals.available - measure.drop} (${percent(measure.drop / totals.available)}), more than MaxDropShare (${percent(b.maxDropShare)})`;
  }
  return null;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
