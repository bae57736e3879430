import type { PgBoss } from 'pg-boss';
import { DISPATCH_QUEUE, POLL_QUEUE, REGISTER_QUEUE, type DispatchJobData, type PollJobData } from './queues.ts';
import { dispatchAccount } from '../engine/sales/dispatcher.ts';
import { pollAccount, quotaPause, type SyncContext } from '../engine/sync.ts';
import { registerItem } from '../engine/register.ts';
import type { AccountSet } from '../engine/accounts.ts';
import { EngineInputError, type RegisterItemRequest } from '../engine/ports.ts';
import type { RegisterJobOutput } from '../engine/items.ts';
import type { JobsPort } from '../engine/jobs-port.ts';

export interface Workers {
  stop(): Promise<void>;
}

/**
 * Handlers are idempotent (jobs are at-least-once): a poll re-reads and writes only changes; a
 * registration of the same binding again is a no-op in the core.
 */
export async function startWorkers(boss: PgBoss, jobs: JobsPort, context: SyncContext, accounts: AccountSet, log: (message: string) => void): Promise<Workers> {
  const concurrency = Math.max(1, Math.min(accounts.all().length, 4));
  const pollWorker = await boss.work<PollJobData>(POLL_QUEUE, { localConcurrency: concurrency, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    const account = accounts.get(job.data.accountId);
    if (!account) {
      log(`poll skipped: account ${job.data.accountId} is no longer configured`);
      return;
    }
    const run = await pollAccount(context, account, job.data.trigger);
    if (!run) {
      log(`poll ${account.config.id} skipped: the POS call quota is spent until ${quotaPause(account)?.resumesAt ?? 'its reset'}`);
      return { skipped: 'quota' };
    }
    log(`poll ${account.config.id}: ${run.status}, ${run.itemsRead} read, ${run.itemsChanged} changed, ${run.apiCalls} API calls${run.error ? ` (${run.error})` : ''}`);
    return { runId: run.id, status: run.status };
  });
  const registerWorker = await boss.work<RegisterItemRequest, RegisterJobOutput>(REGISTER_QUEUE, { pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) throw new Error('empty batch');
    try {
      return { ok: true, item: await registerItem(context, accounts, job.data) };
    } catch (error) {
      // Bad input will not get better on retry: finish the job with the reason.
      if (error instanceof EngineInputError) {
        return { ok: false, error: { message: error.message, field: error.field, status: error.status, details: error.details } };
      }
      throw error;
    }
  });
  const dispatchWorker = await boss.work<DispatchJobData>(DISPATCH_QUEUE, { localConcurrency: concurrency, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (!job) return;
    const summary = await dispatchAccount({ core: context.core, jobs, accounts }, job.data.accountId);
    if (summary.posted + summary.failed > 0 || summary.deferredMs) {
      log(`dispatch ${job.data.accountId}: ${summary.posted} posted, ${summary.failed} failed${summary.deferredMs ? `; next attempt in ${Math.ceil(summary.deferredMs / 1000)} s` : ''}`);
    }
    return summary;
  });
  return {
    async stop() {
      await boss.offWork(DISPATCH_QUEUE, { id: dispatchWorker });
      await boss.offWork(POLL_QUEUE, { id: pollWorker });
      await boss.offWork(REGISTER_QUEUE, { id: registerWorker });
    },
  };
}
