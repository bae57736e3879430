import type { Core } from '../core/open.ts';
import type { Sink } from '../sink/sink.ts';
import type { QuotaState, StockCount } from '../pos/contract.ts';
import type { SqlQueryable } from '../core/sql.ts';
import { applyCountsPage, flagMissing, lockItems } from '../core/stock.ts';
import type { JournalCause } from '../core/journal.ts';
import { failAbandonedRuns, finishRun, getRun, recordProgress, startRun, type RunTrigger, type SyncRun } from '../core/runs.ts';
import { holdRun, newestHeldRun, recordReadStart, type PlanItem } from '../core/run-plans.ts';
import { accountPause } from '../core/account-pauses.ts';
import { accountTotals, breakerReason, measurePlan } from './breaker.ts';
import { planMissing, planPageToApply } from './plan.ts';
import { mappedPosIds } from '../core/mappings.ts';
import { ReadMarks } from './read-marks.ts';
import { markSinkWritten, pendingSinkWrites } from '../core/sink-state.ts';
import type { AccountHandle } from './accounts.ts';
import { describeError } from './errors.ts';

/**
 * One poll of one account (DESIGN §4): read counts page by page, apply each page to the core in
 * one transaction (only changes, journaled), then bring the shop's table up to date. A failing
 * read changes nothing further and records why; items the POS no longer knows are flagged.
 */
export interface SyncContext {
  core: Core;
  sink: Sink;
  /**
   * Units reserved per e-commerce id for an account's items (rule 4), read inside the page's
   * transaction. Absent until the sale ledger exists.
   */
  reserved: (tx: SqlQueryable, accountId: string, readStartedAt: Date) => Promise<ReadonlyMap<string, number>>;
  /** Progress of long runs (first syncs of big catalogs). */
  onProgress?: (event: { accountId: string; runId: number; itemsRead: number; itemsChanged: number }) => void;
}

/** A POS whose call quota is spent is not polled until it resets; its sales stay queued meanwhile. */
export function quotaPause(account: AccountHandle): QuotaState | null {
  const quota = account.adapter.quota?.();
  return quota && quota.state !== 'ok' ? quota : null;
}

/** One poll; null when the account's quota pauses it or an operator paused it (no call made, no run recorded). */
export async function pollAccount(context: SyncContext, account: AccountHandle, trigger: RunTrigger): Promise<SyncRun | null> {
  if (quotaPause(account)) return null;
  if (await accountPause(context.core.sql, account.config.id)) return null;
  // One poll per account across every instance (rule 7): pg-boss's singleton alone is not exclusion.
  return context.core.locks.withLock('poll', account.config.id, async () => {
    // Under the lock, a run still marked running has no live owner: a killed instance left it.
    await failAbandonedRuns(context.core.sql, account.config.id);
    return pollLocked(context, account, trigger);
  });
}

/**
 * Plan, then apply (issue 12): every page is read and planned without writing; the breaker looks
 * at the whole plan; only then are the pages applied (each in its own transaction, reservations
 * re-read under lock), or the run is held with its plan and nothing is written. Only the counts
 * whose rows the plan wrote are kept and applied: the rest of a page wrote nothing in its dry run,
 * and every other writer (intake, webhooks) keeps a row's quantities itself, so applying it again
 * would only repeat the read. Kept whole, 100,000 counts pushed the service past its memory
 * target, and a poll with no change did all its database work twice.
 */
async function pollLocked(context: SyncContext, account: AccountHandle, trigger: RunTrigger): Promise<SyncRun> {
  const { core } = context;
  const accountId = account.config.id;
  const run = await startRun(core.sql, { accountId, trigger });
  const callsBefore = account.adapter.apiCalls();
  let itemsRead = 0;
  let itemsChanged = 0;
  try {
    // The database's clock, the one posted_at is written with (rule 4 compares the two). Taken
    // before the mapped ids, so every item mapped before it is read and may count as confirmed.
    const readStartedAt = await databaseNow(core.sql);
    await recordReadStart(core.sql, run.id, readStartedAt);
    const mapped = await mappedPosIds(core.sql, accountId);
    const toApply: StockCount[][] = [];
    const plan: PlanItem[] = [];
    let missing: string[] = [];
    if (mapped.length > 0) {
      const totals = await accountTotals(core.sql, accountId);
      const read = new ReadMarks(mapped);
      let counted = 0;
      for await (const page of account.adapter.readCounts(mapped)) {
        const planned = await planPageToApply(context, accountId, page, readStartedAt);
        plan.push(...planned.items);
        if (planned.toApply.length > 0) toApply.push(planned.toApply);
        for (const count of page) {
          read.mark(count.posItemId);
          if (count.onHand !== null) counted += 1;
        }
        itemsRead += page.length;
        await recordProgress(core.sql, run.id, { itemsRead, itemsChanged: 0 });
        context.onProgress?.({ accountId, runId: run.id, itemsRead, itemsChanged: 0 });
      }
      // Only a read that finished may call an item missing: a failed page proves nothing.
      missing = read.unmarked();
      plan.push(...(await planMissing(context, accountId, missing)));
      const tripped = breakerReason(account.config.breaker, { totals, measure: measurePlan(plan), answeredNone: counted === 0 });
      const held = tripped ?? (await heldByEarlierRun(core.sql, accountId));
      if (held !== null) {
        await holdRun(core.sql, { id: run.id, accountId, reason: held, itemsRead, apiCalls: account.adapter.apiCalls() - callsBefore, readStartedAt }, plan);
        return (await getRun(core.sql, run.id))!;
      }
    }
    for (const page of toApply) {
      itemsChanged += await applyPage(context, accountId, run.id, page, readStartedAt);
      await recordProgress(core.sql, run.id, { itemsRead, itemsChanged });
    }
    if (missing.length > 0) await flagMissing(core.sql, accountId, run.id, missing);
    await flushSink(context, accountId);
    // Every mapped item was read: the run confirms them all at once (core/freshness.ts).
    const confirmedAt = readStartedAt;
    return await finishRun(core.sql, run.id, { status: 'ok', itemsRead, itemsChanged, apiCalls: account.adapter.apiCalls() - callsBefore, confirmedAt });
  } catch (error) {
    return await finishRun(core.sql, run.id, {
      status: 'failed',
      itemsRead,
      itemsChanged,
      apiCalls: account.adapter.apiCalls() - callsBefore,
      error: describeError(error),
    });
  }
}

/** While a run is held, the account's next runs are held too: nothing bypasses the decision. */
export async function heldByEarlierRun(sql: SqlQueryable, accountId: string): Promise<string | null> {
  const held = await newestHeldRun(sql, accountId);
  return held === null ? null : `run ${held} of this account is held for a decision (apply or discard it first)`;
}

/** One page of counts in one transaction: lock the items, read what is reserved, apply only changes. */
export async function applyPage(
  context: SyncContext,
  accountId: string,
  runId: number | null,
  counts: StockCount[],
  readStartedAt: Date,
  cause: JournalCause = 'poll',
  eventIds?: ReadonlyMap<string, string>,
): Promise<number> {
  const result = await context.core.sql.transaction(async (tx) => {
    // Lock the page's items before reading what is reserved: a sale accepted after this waits for
    // the page, and one accepted before is counted, so a poll never hands back a reserved unit.
    await lockItems(tx, accountId, counts.map((c) => c.posItemId));
    const reservedByItem = await context.reserved(tx, accountId, readStartedAt);
    return applyCountsPage(tx, { accountId, runId, counts, readStartedAt, reservedByItem, cause, ...(eventIds ? { eventIds } : {}) });
  });
  return result.changes.length;
}

export async function databaseNow(sql: SqlQueryable): Promise<Date> {
  const { rows } = await sql.query<{ now: Date }>('select clock_timestamp() as now');
  return rows[0]!.now;
}

const SINK_BATCH = 1000;

/**
 * Writes every quantity the shop's table has not been given yet (this account's, or all when no
 * account is named). Safe to call any time; a sink error propagates and the rows stay pending.
 */
export async function flushSink(context: Pick<SyncContext, 'core' | 'sink'>, accountId: string | null): Promise<number> {
  let written = 0;
  for (;;) {
    const pending = await pendingSinkWrites(context.core.sql, accountId, SINK_BATCH);
    if (pending.length === 0) return written;
    await context.sink.writeQuantities(pending);
    await markSinkWritten(context.core.sql, pending);
    written += pending.length;
    if (pending.length < SINK_BATCH) return written;
  }
}
