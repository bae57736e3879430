import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Core } from '../../core/open.ts';
import type { JobsPort } from '../jobs-port.ts';
import { backoffMs, DEFAULT_RETRY_POLICY } from '../../pos/retry.ts';
import { claimNext, moveSale, recordError, saveProgress, type SaleRow } from '../../core/sales/ledger.ts';
import { freeLease, LeaseLostError, renewLease, takeLease, type Lease } from '../../core/sales/lease.ts';
import type { SqlQueryable } from '../../core/sql.ts';
import { PosError, PosSaleUnfinishedError } from '../../pos/errors.ts';
import type { AccountSet } from '../accounts.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../../log.ts';
import type { PossyncMetrics } from '../../observe/metrics.ts';
import { DEFAULT_JOBS } from '../../config/defaults.ts';

/**
 * Posts an account's accepted sales to its POS, oldest first, one at a time (rule 7). Each sale is
 * posted exactly once (rule 2): the adapter keys the write by the sale id, and a sale that was
 * attempted before (a retry, a crash mid-post) is looked up on the POS before anything is re-sent.
 *
 * Rule 7 does not rest on the queue: pg-boss retries a job that outlives its expiry while the first
 * handler still runs. A dispatcher first takes the account's lease in the database (see lease.ts),
 * renews it while it works, POS calls included, and every sale write it makes is fenced by it; a
 * second dispatcher finds the lease held and stands aside.
 */
export const MAX_ATTEMPTS = 20;
/** A retry sooner than this is waited for in the job; a longer one goes back to the queue. */
const MAX_INLINE_WAIT_MS = 5_000;

/** How long a dispatch lease lasts without renewal (Jobs.DispatchLeaseSeconds): a dead dispatcher's account waits this long. */
export const DEFAULT_LEASE_MS = DEFAULT_JOBS.dispatchLeaseSeconds * 1000;
/** Who holds a lease, for people reading the table. */
const HOLDER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface DispatchSummary {
  posted: number;
  failed: number;
  /** Given up on while the POS holds part of it (see PosSaleUnfinishedError); absent when none. */
  incomplete?: number;
  /** Another live dispatcher holds the account's lease; a look later is queued. */
  busy?: boolean;
  /** This dispatcher's lease was taken over (it had stopped renewing): it stopped writing. */
  leaseLost?: boolean;
  /** Set when the head sale must wait longer than a job should: the retry is queued for then. */
  deferredMs?: number;
}

export interface DispatchDeps {
  core: Core;
  jobs: JobsPort;
  accounts: AccountSet;
  /** Lease duration (default DEFAULT_LEASE_MS); renewed every third of it while working. */
  leaseMs?: number;
  /** Events (sale posted, retried, failed) and the acceptance-to-posted histogram. */
  observe?: { log: Logger; metrics?: PossyncMetrics };
}

export async function dispatchAccount(deps: DispatchDeps, accountId: string): Promise<DispatchSummary> {
  const summary: DispatchSummary = { posted: 0, failed: 0 };
  if (!deps.accounts.get(accountId)) return summary;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const lease = await takeLease(deps.core.sql, accountId, HOLDER, leaseMs);
  if (!lease) {
    // The holder drains the account; look again later in case it dies or a sale lands after its last claim.
    const waitMs = Math.max(1_000, Math.ceil(leaseMs / 3));
    await deps.jobs.queueDispatch(accountId, undefined, waitMs / 1000);
    return { ...summary, busy: true, deferredMs: waitMs };
  }
  const heartbeat = keepRenewing(deps.core.sql, lease, leaseMs);
  try {
    return await drain(deps, accountId, lease, leaseMs, summary);
  } catch (error) {
    if (!(error instanceof LeaseLostError)) throw error;
    return { ...summary, leaseLost: true };
  } finally {
    heartbeat.stop();
    await freeLease(deps.core.sql, lease).catch(() => {});
  }
}

async function drain({ core, jobs, accounts, observe }: DispatchDeps, accountId: string, lease: Lease, leaseMs: number, summary: DispatchSummary): Promise<DispatchSummary> {
  const account = accounts.get(accountId)!;
  for (;;) {
    const sale = await claimNext(core.sql, lease, leaseMs);
    if (!sale) return summary;
    try {
      const receipt = await account.adapter.recordSale({
        saleId: sale.id,
        posItemId: sale.pos_item_id,
        quantity: sale.quantity,
        amountCents: Number(sale.amount_cents),
        mayExist: sale.attempts > 1,
        progress: sale.progress ?? undefined,
        saveProgress: (progress) => saveProgress(core.sql, lease, sale.id, progress),
      });
      const moved = await moveSale(core.sql, sale.id, {
        from: ['dispatching'],
        to: 'posted',
        posReference: receipt.posReference,
        lastError: null,
        reason: receipt.alreadyRecorded ? `found on the POS as ${receipt.posReference}; not posted again` : `posted as ${receipt.posReference}`,
        lease,
      });
      if (!moved) throw new LeaseLostError(lease);
      summary.posted += 1;
      observe?.metrics?.observeSalePosted(accountId, sale.created_at);
      observe?.log.info(
        { event: 'sale.posted', saleId: sale.id, accountId, posReference: receipt.posReference, attempts: sale.attempts, alreadyRecorded: receipt.alreadyRecorded },
        `sale ${sale.id} posted to ${accountId} as ${receipt.posReference}`,
      );
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      const waitMs = await settleFailure(core, lease, sale, error, summary, observe?.log);
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

/** Renews the lease every third of its length; a failed renewal is retried at the next tick. */
function keepRenewing(sql: SqlQueryable, lease: Lease, leaseMs: number): { stop(): void } {
  const timer = setInterval(() => void renewLease(sql, lease, leaseMs).catch(() => {}), Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Records the failure; returns how long to wait before the next attempt, or null when the sale is settled (failed or incomplete). */
async function settleFailure(core: Core, lease: Lease, sale: SaleRow, error: unknown, summary: DispatchSummary, log?: Logger): Promise<number | null> {
  const message = describeError(error);
  const retryable = error instanceof PosError ? error.retry.retry : true;
  if (!retryable || sale.attempts >= MAX_ATTEMPTS) {
    const why = retryable ? `gave up after ${sale.attempts} attempts: ${message}` : `the POS refused it: ${message}`;
    if (error instanceof PosSaleUnfinishedError) {
      // The POS holds part of it: not failed (a cancel would release units the POS may have taken,
      // a re-post could double it). Kept reserved, off the dispatch queue, for an operator.
      const moved = await moveSale(core.sql, sale.id, {
        from: ['dispatching'],
        to: 'incomplete',
        lastError: message,
        posReference: error.posReference,
        reason: `${why}; finish it on the POS and retry, or remove it there and cancel`,
        lease,
      });
      if (!moved) throw new LeaseLostError(lease);
      summary.incomplete = (summary.incomplete ?? 0) + 1;
      log?.error(
        { event: 'sale.incomplete', saleId: sale.id, accountId: sale.account_id, attempts: sale.attempts, posReference: error.posReference, error: message },
        `sale ${sale.id} is incomplete: ${message}`,
      );
      return null;
    }
    // Visible and kept reserved until an operator retries or cancels it.
    const moved = await moveSale(core.sql, sale.id, { from: ['dispatching'], to: 'failed', lastError: message, reason: why, lease });
    if (!moved) throw new LeaseLostError(lease);
    summary.failed += 1;
    log?.error({ event: 'sale.failed', saleId: sale.id, accountId: sale.account_id, attempts: sale.attempts, error: message }, `sale ${sale.id} failed: ${message}`);
    return null;
  }
  await recordError(core.sql, lease, sale.id, message);
  const asked = error instanceof PosError ? error.retry.waitMs : 0;
  const waitMs = Math.max(asked, backoffMs(sale.attempts, DEFAULT_RETRY_POLICY));
  log?.warn({ event: 'sale.retry', saleId: sale.id, accountId: sale.account_id, attempts: sale.attempts, waitMs, error: message }, `sale ${sale.id}: attempt ${sale.attempts} failed, retry in ${waitMs} ms: ${message}`);
  return waitMs;
}
