import type { PgBoss } from 'pg-boss';
import { BULK_QUEUE, CHANGE_POLL_QUEUE, DISPATCH_QUEUE, POLL_QUEUE, REGISTER_QUEUE, WEBHOOK_QUEUE, type AccountJobData, type BulkJobData, type DispatchJobData, type PollJobData } from './queues.ts';
import { runImport } from '../engine/bulk/import-job.ts';
import { applyWebhookEvents } from '../engine/webhooks.ts';
import { changePoll } from '../engine/change-poll.ts';
import { dispatchAccount } from '../engine/sales/dispatcher.ts';
import { pollAccount, quotaPause, type SyncContext } from '../engine/sync.ts';
import { registerItem } from '../engine/register.ts';
import type { AccountSet } from '../engine/accounts.ts';
import { EngineInputError, type RegisterItemRequest } from '../engine/ports.ts';
import type { RegisterJobOutput } from '../engine/items.ts';
import type { JobsPort } from '../engine/jobs-port.ts';
import type { Logger } from '../log.ts';
import type { PossyncMetrics } from '../observe/metrics.ts';

export interface Workers {
  /** Wakes a queue's worker now instead of at its next polling interval (webhooks answer in ms). */
  notify(queue: typeof WEBHOOK_QUEUE | typeof CHANGE_POLL_QUEUE): void;
  /** True from start until stop: readiness reports it. */
  running(): boolean;
  stop(): Promise<void>;
}

/**
 * Handlers are idempotent (jobs are at-least-once): a poll re-reads and writes only changes; a
 * registration of the same binding again is a no-op in the core.
 */
export async function startWorkers(
  boss: PgBoss,
  jobs: JobsPort,
  context: SyncContext,
  accounts: AccountSet,
  observe: { log: Logger; metrics?: PossyncMetrics },
  options: { dispatchLeaseMs?: number } = {},
): Promise<Workers> {
  const { log, metrics } = observe;
  let running = true;
  const concurrency = Math.max(1, Math.min(accounts.all().length, 4));
  const pollWorker = await boss.work<PollJobData>(POLL_QUEUE, { localConcurrency: concurrency, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    const account = accounts.get(job.data.accountId);
    if (!account) {
      log.warn({ event: 'poll.skipped', accountId: job.data.accountId, jobId: job.id }, `poll skipped: account ${job.data.accountId} is no longer configured`);
      return;
    }
    // Jobs queued before triggers were renamed say `forced`; the run records what it was.
    const trigger = job.data.trigger === 'forced' ? 'manual' : job.data.trigger;
    log.info({ event: 'poll.started', accountId: account.config.id, jobId: job.id, trigger }, `poll ${account.config.id} started (${trigger})`);
    const run = await pollAccount(context, account, trigger);
    if (!run) {
      const quota = quotaPause(account);
      if (!quota) {
        log.warn({ event: 'poll.paused', accountId: account.config.id, jobId: job.id, reason: 'operator' }, `poll ${account.config.id} skipped: polls are paused until an operator resumes them (POST /api/accounts/${account.config.id}/resume)`);
        return { skipped: 'paused' };
      }
      const resumesAt = quota.resumesAt ?? 'its reset';
      log.warn({ event: 'poll.paused', accountId: account.config.id, jobId: job.id, resumesAt }, `poll ${account.config.id} skipped: the POS call quota is spent until ${resumesAt}`);
      return { skipped: 'quota' };
    }
    metrics?.observePoll(account.config.id, run);
    const fields = {
      event: 'poll.finished', accountId: account.config.id, runId: run.id, jobId: job.id, trigger, status: run.status,
      itemsRead: run.itemsRead, itemsChanged: run.itemsChanged, apiCalls: run.apiCalls, error: run.error ?? undefined,
    };
    const text = `poll ${account.config.id}: ${run.status}, ${run.itemsRead} read, ${run.itemsChanged} changed, ${run.apiCalls} API calls${run.error ? ` (${run.error})` : ''}`;
    if (run.status === 'ok') log.info(fields, text);
    else log.warn(fields, text);
    return { runId: run.id, status: run.status, itemsRead: run.itemsRead, itemsChanged: run.itemsChanged, apiCalls: run.apiCalls, error: run.error };
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
    const summary = await dispatchAccount({ core: context.core, jobs, accounts, observe, leaseMs: options.dispatchLeaseMs }, job.data.accountId);
    if (summary.posted + summary.failed > 0 || summary.deferredMs) {
      log.info(
        { event: 'dispatch.finished', accountId: job.data.accountId, jobId: job.id, ...summary },
        `dispatch ${job.data.accountId}: ${summary.posted} posted, ${summary.failed} failed${summary.deferredMs ? `; next attempt in ${Math.ceil(summary.deferredMs / 1000)} s` : ''}`,
      );
    }
    return summary;
  });
  const bulkWorker = await boss.work<BulkJobData>(BULK_QUEUE, { pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    const outcome = await runImport(context, accounts, job.data.importId);
    log.info({ event: 'bulk-import.finished', importId: job.data.importId, jobId: job.id }, `bulk import ${job.data.importId}: ${outcome}`);
  });
  const realtime = await startRealtimeWorkers(boss, context, accounts, log, concurrency);
  return {
    notify: (queue) => boss.notifyWorker(realtime[queue]),
    running: () => running,
    async stop() {
      running = false;
      await boss.offWork(BULK_QUEUE, { id: bulkWorker });
      await boss.offWork(WEBHOOK_QUEUE, { id: realtime[WEBHOOK_QUEUE] });
      await boss.offWork(CHANGE_POLL_QUEUE, { id: realtime[CHANGE_POLL_QUEUE] });
      await boss.offWork(DISPATCH_QUEUE, { id: dispatchWorker });
      await boss.offWork(POLL_QUEUE, { id: pollWorker });
      await boss.offWork(REGISTER_QUEUE, { id: registerWorker });
    },
  };
}

/** Webhook events and change polls: quiet when nothing changed, a log line when something did. */
async function startRealtimeWorkers(boss: PgBoss, context: SyncContext, accounts: AccountSet, log: Logger, concurrency: number) {
  const account = (id: string, jobId: string) => {
    const handle = accounts.get(id);
    if (!handle) log.warn({ event: 'realtime.skipped', accountId: id, jobId }, `skipped: account ${id} is no longer configured`);
    return handle;
  };
  // One worker shape for both: run for the account, one log line only when something changed.
  const worker = <S extends { itemsRead: number; itemsChanged: number; apiCalls: number }>(
    queue: string,
    event: string,
    run: (handle: NonNullable<ReturnType<AccountSet['get']>>) => Promise<S>,
    text: (accountId: string, summary: S) => string,
  ) =>
    boss.work<AccountJobData>(queue, { localConcurrency: concurrency, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      const handle = job && account(job.data.accountId, job.id);
      if (!handle) return;
      const summary = await run(handle);
      if (summary.itemsChanged > 0) log.info({ event, accountId: handle.config.id, jobId: job.id, ...(summary as Record<string, unknown>) }, text(handle.config.id, summary));
      return summary;
    });
  const webhook = await worker(WEBHOOK_QUEUE, 'webhook.applied', (handle) => applyWebhookEvents(context, handle), (id, s) =>
    `webhook ${id}: ${s.events} event(s), ${s.itemsRead} read, ${s.itemsChanged} changed, ${s.apiCalls} API calls`);
  const changes = await worker(CHANGE_POLL_QUEUE, 'change_poll.applied', (handle) => changePoll(context, handle), (id, s) =>
    `change poll ${id}: ${s.itemsRead} read, ${s.itemsChanged} changed, ${s.apiCalls} API calls`);
  return { [WEBHOOK_QUEUE]: webhook, [CHANGE_POLL_QUEUE]: changes } as const;
}
