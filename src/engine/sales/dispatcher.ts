import { setTimeout as sleep } from 'node:timers/promises';
import type { Core } from '../../core/open.ts';
import { backoffMs, DEFAULT_RETRY_POLICY } from '../../pos/retry.ts';
import { claimNext, moveSale, recordError, saveProgress, type SaleRow } from '../../core/sales/ledger.ts';
import { PosError } from '../../pos/errors.ts';
import type { AccountSet } from '../accounts.ts';
import type { JobsPort } from '../jobs-port.ts';
import { describeError } from '../errors.ts';

/**
 * Posts an account's accepted sales to its POS, oldest first, one at a time (rule 7). Each sale is
 * posted exactly once (rule 2): the adapter keys the write by the sale id, and a sale that was
 * attempted before (a retry, a crash mid-post) is looked up on the POS before anything is re-sent.
 */
export const MAX_ATTEMPTS = 20;
/** A retry sooner than this is waited for in the job; a longer one goes back to the queue. */
const MAX_INLINE_WAIT_MS = 5_000;

export interface DispatchSummary {
  posted: number;
  failed: number;
  /** Set when the head sale must wait longer than a job should: the retry is queued for then. */
  deferredMs?: number;
}

export interface DispatchDeps {
  core: Core;
  jobs: JobsPort;
  accounts: AccountSet;
}

export async function dispatchAccount({ core, jobs, accounts }: DispatchDeps, accountId: string): Promise<DispatchSummary> {
  const summary: DispatchSummary = { posted: 0, failed: 0 };
  const account = accounts.get(accountId);
  if (!account) return summary;
  for (;;) {
    const sale = await claimNext(core.sql, accountId);
    if (!sale) return summary;
    try {
      const receipt = await account.adapter.recordSale({
        saleId: sale.id,
        posItemId: sale.pos_item_id,
        quantity: sale.quantity,
        amountCents: Number(sale.amount_cents),
        mayExist: sale.attempts > 1,
        progress: sale.progress ?? undefined,
        saveProgress: (progress) => saveProgress(core.sql, sale.id, progress),
      });
      await moveSale(core.sql, sale.id, {
        from: ['dispatching'],
        to: 'posted',
        posReference: receipt.posReference,
        lastError: null,
        reason: receipt.alreadyRecorded ? `found on the POS as ${receipt.posReference}; not posted again` : `posted as ${receipt.posReference}`,
      });
      summary.posted += 1;
    } catch (error) {
      const waitMs = await settleFailure(core, sale, error, summary);
      if (waitMs === null) continue;
      // Later sales of this account wait behind this one (rule 7).
      if (waitMs <= MAX_INLINE_WAIT_MS) {
        await sleep(waitMs);
        continue;
      }
      await jobs.queueDispatch(accountId, undefined, waitMs / 1000);
      summary.deferredMs = waitMs;
      return summary;
    }
  }
}

/** Records the failure; returns how long to wait before the next attempt, or null when the sale is settled as failed. */
async function settleFailure(core: Core, sale: SaleRow, error: unknown, summary: DispatchSummary): Promise<number | null> {
  const message = describeError(error);
  const retryable = error instanceof PosError ? error.retry.retry : true;
  if (!retryable || sale.attempts >= MAX_ATTEMPTS) {
    // Visible and kept reserved until an operator retries or cancels it.
    await moveSale(core.sql, sale.id, {
      from: ['dispatching'],
      to: 'failed',
      lastError: message,
      reason: retryable ? `gave up after ${sale.attempts} attempts: ${message}` : `the POS refused it: ${message}`,
    });
    summary.failed += 1;
    return null;
  }
  await recordError(core.sql, sale.id, message);
  const asked = error instanceof PosError ? error.retry.waitMs : 0;
  return Math.max(asked, backoffMs(sale.attempts, DEFAULT_RETRY_POLICY));
}
