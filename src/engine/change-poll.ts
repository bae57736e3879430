import type { AccountHandle } from './accounts.ts';
import { databaseNow, flushSink, type SyncContext } from './sync.ts';
import { applyGuarded, realtimeWaits } from './realtime-guard.ts';
import type { StockCount } from '../pos/contract.ts';
import { advanceChangeCursor, getChangeCursor } from '../core/webhooks.ts';
import { listRuns } from '../core/runs.ts';

/**
 * A change poll (POS with a change feed, i.e. Lightspeed): only the counts changed since the last
 * one, applied through the poll's own path (rule 4 reservations, only changes, journaled as
 * `poll`), costing one call when nothing changed. No sync run is recorded: there would be
 * hundreds an hour, and full polls keep the run history.
 *
 * The cursor is on the POS's clock: the newest `countedAt` seen. The feed is read with `>=`, so
 * the boundary rows come again each time (harmless: applying an unchanged count writes nothing)
 * and a change in the same second as the last read is never missed.
 */
export interface ChangePollSummary {
  itemsRead: number;
  itemsChanged: number;
  apiCalls: number;
  /** Set when the breaker held the batch as a run. */
  heldRunId?: number;
}

/** Before the first change poll: back to the last full poll's start (less a margin for clock skew), or an hour. */
const FIRST_LOOK_BACK_MS = 60 * 60 * 1000;
const SKEW_MARGIN_MS = 10 * 60 * 1000;

async function startingPoint(context: SyncContext, accountId: string): Promise<Date> {
  const stored = await getChangeCursor(context.core.sql, accountId);
  if (stored) return stored;
  const lastOk = (await listRuns(context.core.sql, accountId, 20)).find((run) => run.status === 'ok');
  const now = await databaseNow(context.core.sql);
  return new Date(Math.max(lastOk ? lastOk.startedAt.getTime() - SKEW_MARGIN_MS : 0, now.getTime() - FIRST_LOOK_BACK_MS));
}

export async function changePoll(context: SyncContext, account: AccountHandle): Promise<ChangePollSummary> {
  const summary: ChangePollSummary = { itemsRead: 0, itemsChanged: 0, apiCalls: 0 };
  const adapter = account.adapter;
  if (!adapter.readChangedSince) return summary;
  const accountId = account.config.id;
  // A held run or a paused account: the cursor stays where it is until the operator decides.
  if (await realtimeWaits(context, accountId)) return summary;
  const callsBefore = adapter.apiCalls();
  const since = await startingPoint(context, accountId);
  const readStartedAt = await databaseNow(context.core.sql);
  let newest = since.getTime();
  const pages: StockCount[][] = [];
  try {
    for await (const page of adapter.readChangedSince(since)) {
      pages.push(page);
      summary.itemsRead += page.length;
      for (const count of page) {
        const at = count.countedAt ? Date.parse(count.countedAt) : Number.NaN;
        if (at > newest) newest = at;
      }
    }
  } finally {
    summary.apiCalls = adapter.apiCalls() - callsBefore;
  }
  // Planned, measured by the breaker, then applied or held (the cursor moves on either way: a held
  // run keeps these counts for the operator's decision).
  const outcome = await applyGuarded(context, account, pages, readStartedAt, { cause: 'poll', trigger: 'change-poll', apiCalls: summary.apiCalls });
  if (outcome.state === 'applied') summary.itemsChanged = outcome.itemsChanged;
  else summary.heldRunId = outcome.runId;
  await advanceChangeCursor(context.core.sql, accountId, new Date(newest));
  if (summary.itemsChanged > 0) await flushSink(context, accountId);
  return summary;
}
