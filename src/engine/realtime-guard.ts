import type { StockCount } from '../pos/contract.ts';
import type { JournalCause } from '../core/journal.ts';
import { startRun } from '../core/runs.ts';
import { holdRun, newestHeldRun, type PlanItem } from '../core/run-plans.ts';
import { accountPause } from '../core/account-pauses.ts';
import type { AccountHandle } from './accounts.ts';
import { accountTotals, breakerReason, measurePlan, windowMeasure } from './breaker.ts';
import { planPage } from './plan.ts';
import { applyPage, type SyncContext } from './sync.ts';

/**
 * Webhook and change-poll updates through the same breaker as polls (issue 12). Each batch is one
 * small read, so it is measured together with what such updates changed in the last
 * `WindowMinutes`: a glitch that zeroes the catalog one webhook at a time trips it as surely as
 * one poll would. A tripping batch becomes a held run (trigger webhook or change-poll).
 */

export type GuardOutcome = { state: 'applied'; itemsChanged: number } | { state: 'held'; runId: number; reason: string };

/**
 * Why real-time updates of this account must wait (left pending, cursor not moved): a held run
 * awaits its decision, or an operator paused the account after a revert. Null: go ahead.
 */
export async function realtimeWaits(context: Pick<SyncContext, 'core'>, accountId: string): Promise<string | null> {
  const pause = await accountPause(context.core.sql, accountId);
  if (pause) return `paused: ${pause.reason}`;
  const held = await newestHeldRun(context.core.sql, accountId);
  return held === null ? null : `run ${held} is held`;
}

export async function applyGuarded(
  context: SyncContext,
  account: AccountHandle,
  pages: readonly StockCount[][],
  readStartedAt: Date,
  options: { cause: JournalCause; trigger: 'webhook' | 'change-poll'; eventIds?: ReadonlyMap<string, string>; apiCalls: number },
): Promise<GuardOutcome> {
  const { core } = context;
  const accountId = account.config.id;
  const plan: PlanItem[] = [];
  for (const page of pages) plan.push(...(await planPage(context, accountId, page, readStartedAt, options.cause)));
  if (plan.length > 0) {
    const settings = account.config.breaker;
    const window = await windowMeasure(core.sql, accountId, settings?.windowMinutes ?? 10);
    const totals = await accountTotals(core.sql, accountId);
    const batch = measurePlan(plan);
    const reason = breakerReason(settings, {
      // What the account had before the window's changes, and everything since measured together.
      totals: { counted: totals.counted, available: totals.available + window.drop },
      measure: { zeroed: window.zeroed + batch.zeroed, lost: batch.lost, drop: window.drop + batch.drop },
    });
    if (reason !== null) {
      const full = `${reason} (${options.trigger} updates of the last ${settings?.windowMinutes ?? 10} min counted together)`;
      const run = await startRun(core.sql, { accountId, trigger: options.trigger });
      const itemsRead = pages.reduce((n, page) => n + page.length, 0);
      await holdRun(core.sql, { id: run.id, accountId, reason: full, itemsRead, apiCalls: options.apiCalls, readStartedAt }, plan);
      return { state: 'held', runId: run.id, reason: full };
    }
  }
  let itemsChanged = 0;
  for (const page of pages) itemsChanged += await applyPage(context, accountId, null, page, readStartedAt, options.cause, options.eventIds);
  return { state: 'applied', itemsChanged };
}
