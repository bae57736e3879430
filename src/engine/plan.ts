import type { StockCount } from '../pos/contract.ts';
import type { SqlQueryable } from '../core/sql.ts';
import { applyCountsPage, flagMissing, lockItems } from '../core/stock.ts';
import type { PlanItem } from '../core/run-plans.ts';
import type { JournalCause } from '../core/journal.ts';
import type { SyncContext } from './sync.ts';

/**
 * A run's plan: what applying its counts would change, per item, computed by the very code that
 * applies them (core/stock.ts) inside a transaction that is then rolled back. One rule set for
 * planning and writing, so the plan cannot drift from what an apply does; nothing is committed,
 * and the page's rows are locked only for as long as an apply would lock them.
 */

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('plan only: rolled back');
  }
}

async function dryRun<T>(context: Pick<SyncContext, 'core'>, fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
  try {
    await context.core.sql.transaction(async (tx) => {
      throw new Rollback(await fn(tx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: a plan transaction always rolls back');
}

// Rows whose count this transaction just took away (UPDATE_SEEN stamps uncounted_since = now()).
const LOST_COUNT = `
  select ecommerce_id, pos_item_id, on_hand, available from mappings
   where account_id = $1 and pos_item_id = any($2::text[]) and uncounted_since = now()`;

interface LostRow {
  ecommerce_id: string;
  pos_item_id: string;
  on_hand: number | null;
  available: number | null;
}

/** The plan of one page of counts, as applyPage would apply it now. */
export async function planPage(
  context: SyncContext,
  accountId: string,
  counts: StockCount[],
  readStartedAt: Date,
  cause: JournalCause = 'poll',
): Promise<PlanItem[]> {
  return (await planPageToApply(context, accountId, counts, readStartedAt, cause)).items;
}

export interface PagePlan {
  items: PlanItem[];
  /**
   * The page's counts whose rows the dry run wrote (a change or a flag), without what an apply
   * does not use: the only part of the page an apply has anything to do with. A run holds these
   * until its read ends instead of every page, so a poll that changes nothing keeps nothing and
   * applies nothing (issue 10's memory and no-change targets under issue 12's plan-then-apply).
   */
  toApply: StockCount[];
}

/**
 * At most this many counts are planned in one dry run. A POS that answers in one page (Hiboutik's
 * warehouse stock: 30,000 counts) would otherwise have every row of its account read into one
 * query result and locked at once, so a sale on any of them waited for the whole plan. Each item's
 * plan depends only on its own rows, and planning writes nothing, so slices plan exactly what the
 * whole page would.
 */
export const PLAN_SLICE = 1000;

export async function planPageToApply(
  context: SyncContext,
  accountId: string,
  counts: StockCount[],
  readStartedAt: Date,
  cause: JournalCause = 'poll',
): Promise<PagePlan> {
  if (counts.length <= PLAN_SLICE) return planSlice(context, accountId, counts, readStartedAt, cause);
  // A page's last count of an item is the one an apply keeps: no item may be planned in two slices.
  const unique = [...new Map(counts.map((c) => [c.posItemId, c])).values()];
  const whole: PagePlan = { items: [], toApply: [] };
  for (let i = 0; i < unique.length; i += PLAN_SLICE) {
    const part = await planSlice(context, accountId, unique.slice(i, i + PLAN_SLICE), readStartedAt, cause);
    for (const item of part.items) whole.items.push(item);
    for (const count of part.toApply) whole.toApply.push(count);
  }
  return whole;
}

async function planSlice(context: SyncContext, accountId: string, counts: StockCount[], readStartedAt: Date, cause: JournalCause): Promise<PagePlan> {
  if (counts.length === 0) return { items: [], toApply: [] };
  return dryRun(context, async (tx) => {
    await lockItems(tx, accountId, counts.map((c) => c.posItemId));
    const reservedByItem = await context.reserved(tx, accountId, readStartedAt);
    const result = await applyCountsPage(tx, { accountId, runId: null, counts, readStartedAt, reservedByItem, cause });
    const items: PlanItem[] = result.changes.map((c) => ({
      ecommerceId: c.ecommerceId,
      posItemId: c.posItemId,
      kind: 'count',
      before: c.before,
      after: c.after,
      onHandBefore: c.onHandBefore,
      onHandAfter: c.onHandAfter,
      note: c.note ?? null,
    }));
    const uncounted = counts.filter((c) => c.onHand === null).map((c) => c.posItemId);
    if (uncounted.length > 0) {
      const { rows } = await tx.query<LostRow>(LOST_COUNT, [accountId, uncounted]);
      for (const row of rows) {
        items.push({ ecommerceId: row.ecommerce_id, posItemId: row.pos_item_id, kind: 'uncounted', before: row.available, after: row.available, onHandBefore: row.on_hand, onHandAfter: null });
      }
    }
    const written = new Set(result.written);
    const toApply = counts.filter((c) => written.has(c.posItemId)).map((c): StockCount => ({ posItemId: c.posItemId, onHand: c.onHand }));
    return { items, toApply };
  });
}

/** Items a finished read did not return: flagged missing by an apply (quantity kept). */
export async function planMissing(context: SyncContext, accountId: string, posItemIds: readonly string[]): Promise<PlanItem[]> {
  if (posItemIds.length === 0) return [];
  return dryRun(context, async (tx) => {
    const flagged = await flagMissing(tx, accountId, null, posItemIds);
    if (flagged.length === 0) return [];
    const { rows } = await tx.query<LostRow>(
      'select ecommerce_id, pos_item_id, on_hand, available from mappings where ecommerce_id = any($1::text[]) order by ecommerce_id',
      [flagged],
    );
    return rows.map((row): PlanItem => ({ ecommerceId: row.ecommerce_id, posItemId: row.pos_item_id, kind: 'missing', before: row.available, after: row.available, onHandBefore: row.on_hand, onHandAfter: row.on_hand }));
  });
}
