import type { StockCount } from '../pos/contract.ts';
import { applyCountsPage, flagMissing, lockItems } from '../core/stock.ts';
import { getRun } from '../core/runs.ts';
import {
  decideRun,
  journaledItems,
  listHeldRuns,
  markReverted,
  newestHeldRun,
  planItems,
  planSize,
  runInfo,
  type HeldRunInfo,
  type PlanItem,
} from '../core/run-plans.ts';
import { accountPause, pauseAccount, resumeAccount, type AccountPause } from '../core/account-pauses.ts';
import { restoredCountsReadBy, revertItems } from '../core/revert.ts';
import { flushSink, type SyncContext } from './sync.ts';
import { toRunView } from './synchronizer.ts';
import {
  EngineInputError,
  type HeldRunSummary,
  type PauseView,
  type PlanItemView,
  type RunControl,
  type RunDecisionView,
  type RunDetailView,
} from './ports.ts';

/**
 * Decisions on held runs, and undo (issue 12). Every decision takes the account's poll lock, so
 * it never interleaves with a poll of the same account (rule 7).
 *
 * Apply writes "exactly the plan": the plan's counts, for the plan's items only, as if the held
 * read were applied now. Counts are stored, not availables: what the shop sees is recomputed with
 * the reservations of now (sales taken since stay subtracted, rule 4), and an item read again
 * since the held read began (a webhook, a change poll) keeps that newer count: the plan's count
 * is older news. Such items are listed as skipped. Only the account's newest held run can be
 * applied: an older one answers 409 naming the newest (its read is newer; apply or discard it).
 */

const APPLY_PAGE = 1000;

export class RunDecisions implements RunControl {
  constructor(
    private readonly context: SyncContext,
    private readonly accountIds: () => string[],
  ) {}

  async get(runId: number, page: { limit: number; cursor?: string }): Promise<RunDetailView> {
    const info = await this.info(runId);
    return this.detail(info, page);
  }

  async held(accountId?: string): Promise<HeldRunSummary[]> {
    const sql = this.context.core.sql;
    const runs = await listHeldRuns(sql, accountId);
    const out: HeldRunSummary[] = [];
    for (const info of runs) {
      const run = await getRun(sql, info.id);
      if (!run) continue;
      out.push({ runId: info.id, accountId: info.accountId, trigger: run.trigger, startedAt: run.startedAt.toISOString(), heldReason: info.heldReason, items: await planSize(sql, info.id) });
    }
    return out;
  }

  async apply(runId: number): Promise<RunDecisionView> {
    const first = await this.info(runId);
    return this.context.core.locks.withLock('poll', first.accountId, async () => {
      const info = await this.heldOrConflict(runId, 'applied');
      const { core } = this.context;
      const plan = await planItems(core.sql, runId);
      const trigger = (await getRun(core.sql, runId))?.trigger;
      const cause = trigger === 'webhook' ? 'webhook' : 'poll';
      const readStartedAt = info.readStartedAt ?? new Date(0);
      const counts: StockCount[] = plan
        .filter((item) => item.kind !== 'missing')
        .map((item) => ({ posItemId: item.posItemId, onHand: item.kind === 'uncounted' ? null : item.onHandAfter }));
      const written = new Set<string>();
      for (let i = 0; i < counts.length; i += APPLY_PAGE) {
        const page = counts.slice(i, i + APPLY_PAGE);
        const result = await core.sql.transaction(async (tx) => {
          await lockItems(tx, info.accountId, page.map((c) => c.posItemId));
          const reservedByItem = await this.context.reserved(tx, info.accountId, readStartedAt);
          return applyCountsPage(tx, { accountId: info.accountId, runId, counts: page, readStartedAt, reservedByItem, cause });
        });
        for (const change of result.changes) written.add(change.ecommerceId);
      }
      const missing = plan.filter((item) => item.kind === 'missing');
      const flagged = new Set(await flagMissing(core.sql, info.accountId, runId, missing.map((item) => item.posItemId)));
      const skipped = await this.whySkipped(plan.filter((item) => item.kind === 'count' && !written.has(item.ecommerceId)));
      for (const item of missing) if (!flagged.has(item.ecommerceId)) skipped.push({ ecommerceId: item.ecommerceId, reason: 'already flagged missing, or read again since' });
      if (!(await decideRun(core.sql, runId, 'applied', written.size + flagged.size))) throw this.conflict(runId, 'was decided meanwhile');
      await flushSink(this.context, info.accountId);
      return { detail: await this.detail(await this.info(runId), { limit: 100 }), written: written.size + flagged.size, skipped, paused: null };
    });
  }

  async discard(runId: number): Promise<RunDecisionView> {
    const first = await this.info(runId);
    return this.context.core.locks.withLock('poll', first.accountId, async () => {
      await this.heldOrConflict(runId, 'discarded');
      if (!(await decideRun(this.context.core.sql, runId, 'discarded'))) throw this.conflict(runId, 'was decided meanwhile');
      return { detail: await this.detail(await this.info(runId), { limit: 100 }), written: 0, skipped: [], paused: null };
    });
  }

  async revert(runId: number): Promise<RunDecisionView> {
    const first = await this.info(runId);
    return this.context.core.locks.withLock('poll', first.accountId, async () => {
      const { core } = this.context;
      const info = await this.info(runId);
      if (info.status !== 'ok') throw this.conflict(runId, `is ${info.status}: only an applied run can be reverted`);
      if (info.revertedAt) throw this.conflict(runId, `was already reverted at ${info.revertedAt.toISOString()}`);
      const changes = await journaledItems(core.sql, runId);
      const run = { id: runId, accountId: info.accountId };
      const since = await restoredCountsReadBy(core.sql, run);
      const outcome = await core.sql.transaction(async (tx) => {
        if (!(await markReverted(tx, runId))) throw this.conflict(runId, 'was reverted meanwhile');
        const reserved = changes.length > 0 ? await this.context.reserved(tx, info.accountId, since) : new Map<string, number>();
        const result = await revertItems(tx, run, changes, reserved);
        // The next poll would read the same counts and undo the revert: polls wait for an operator.
        await pauseAccount(tx, info.accountId, `run ${runId} was reverted`, runId);
        return result;
      });
      await flushSink(this.context, info.accountId);
      const pause = await accountPause(core.sql, info.accountId);
      return {
        detail: await this.detail(await this.info(runId), { limit: 100 }),
        written: outcome.restored.length,
        skipped: outcome.skipped,
        paused: pause && toPauseView(pause),
      };
    });
  }

  async resume(accountId: string): Promise<{ accountId: string; lifted: PauseView }> {
    if (!this.accountIds().includes(accountId)) {
      throw new EngineInputError('accountID', `no configured account has the id "${accountId}"`, 404, { known_account_ids: this.accountIds() });
    }
    const lifted = await resumeAccount(this.context.core.sql, accountId);
    if (!lifted) throw new EngineInputError('accountID', `account "${accountId}" is not paused`, 409);
    return { accountId, lifted: toPauseView(lifted) };
  }

  private async info(runId: number): Promise<HeldRunInfo> {
    const info = await runInfo(this.context.core.sql, runId);
    if (!info) throw new EngineInputError('id', `no sync run has the id ${runId}`, 404);
    return info;
  }

  /** The run, if it is the account's newest held run; otherwise a 409 saying what it is instead. */
  private async heldOrConflict(runId: number, wanted: 'applied' | 'discarded'): Promise<HeldRunInfo> {
    const info = await this.info(runId);
    if (info.status === 'superseded') {
      const newest = await newestHeldRun(this.context.core.sql, info.accountId);
      throw this.conflict(runId, `was superseded by run ${info.supersededBy}${newest !== null ? `; the newest held run of ${info.accountId} is ${newest}: ${wanted === 'applied' ? 'apply' : 'discard'} that one` : ''}`, { newest_held_run_id: newest });
    }
    if (info.status !== 'held') throw this.conflict(runId, `is ${info.status}${info.decision ? ` (${info.decision})` : ''}: only a held run can be ${wanted}`);
    return info;
  }

  private conflict(runId: number, what: string, details?: Record<string, unknown>): EngineInputError {
    return new EngineInputError('id', `run ${runId} ${what}`, 409, details);
  }

  private async whySkipped(items: readonly PlanItem[]): Promise<Array<{ ecommerceId: string; reason: string }>> {
    if (items.length === 0) return [];
    const { rows } = await this.context.core.sql.query<{ ecommerce_id: string; on_hand: number | null }>(
      'select ecommerce_id, on_hand from mappings where ecommerce_id = any($1::text[])',
      [items.map((item) => item.ecommerceId)],
    );
    const now = new Map(rows.map((r) => [r.ecommerce_id, r.on_hand]));
    return items.map((item) => {
      if (!now.has(item.ecommerceId)) return { ecommerceId: item.ecommerceId, reason: 'no longer mapped' };
      const count = now.get(item.ecommerceId);
      return count === item.onHandAfter
        ? { ecommerceId: item.ecommerceId, reason: 'already at the planned count' }
        : { ecommerceId: item.ecommerceId, reason: `read again since the plan (count now ${count ?? 'unknown'}): the newer read stands` };
    });
  }

  private async detail(info: HeldRunInfo, page: { limit: number; cursor?: string }): Promise<RunDetailView> {
    const sql = this.context.core.sql;
    const run = await getRun(sql, info.id);
    if (!run) throw new EngineInputError('id', `no sync run has the id ${info.id}`, 404);
    const fromPlan = info.heldReason !== null;
    const query = { limit: page.limit + 1, ...(page.cursor !== undefined ? { after: page.cursor } : {}) };
    const rows = fromPlan ? await planItems(sql, info.id, query) : await journaledItems(sql, info.id, query);
    const items = rows.slice(0, page.limit);
    return {
      run: toRunView(run),
      accountId: info.accountId,
      heldReason: info.heldReason,
      decision: info.decision as RunDetailView['decision'],
      decidedAt: info.decidedAt?.toISOString() ?? null,
      supersededBy: info.supersededBy,
      revertedAt: info.revertedAt?.toISOString() ?? null,
      itemsSource: fromPlan ? 'plan' : 'journal',
      items: items.map(toItemView),
      nextCursor: rows.length > page.limit ? items.at(-1)!.ecommerceId : null,
    };
  }
}

const toItemView = (item: PlanItem): PlanItemView => ({
  ecommerceId: item.ecommerceId,
  posItemId: item.posItemId,
  kind: item.kind,
  before: item.before,
  after: item.after,
  onHandBefore: item.onHandBefore,
  onHandAfter: item.onHandAfter,
  note: item.note ?? null,
});

export const toPauseView = (pause: AccountPause): PauseView => ({ reason: pause.reason, runId: pause.runId, pausedAt: pause.pausedAt.toISOString() });
