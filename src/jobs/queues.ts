import type { PgBoss, Queue, UpdateQueueOptions } from 'pg-boss';
import type { PollTrigger } from '../engine/jobs-port.ts';

/**
 * possync's job queues. Polls use pg-boss's `stately` policy keyed by account: at most one
 * queued and one running per account, so a poll never overlaps another for the same account and
 * any number of forced polls collapse into the one already waiting.
 */
export const POLL_QUEUE = 'possync-poll';
export const REGISTER_QUEUE = 'possync-register';
export const DISPATCH_QUEUE = 'possync-dispatch';
/** Applies the webhook events an account received (re-read + apply), one job per account at a time. */
export const WEBHOOK_QUEUE = 'possync-webhook';
/** Lightspeed-style change polls between full polls. */
export const CHANGE_POLL_QUEUE = 'possync-change-poll';
export const BULK_QUEUE = 'possync-bulk-import';

/** A bulk mapping: its rows and report live in item_imports under this id. */
export interface BulkJobData {
  importId: string;
}

export interface PollJobData {
  accountId: string;
  trigger: PollTrigger;
}

/** Webhook and change-poll jobs name only the account: the work is what is pending for it. */
export interface AccountJobData {
  accountId: string;
}

/** One job drains an account's pending sales in ledger order (rule 7). */
export interface DispatchJobData {
  accountId: string;
}

/** Every possync queue, by name (the dashboard counts what pg-boss holds of each). */
export const QUEUE_NAMES = [POLL_QUEUE, DISPATCH_QUEUE, WEBHOOK_QUEUE, CHANGE_POLL_QUEUE, REGISTER_QUEUE, BULK_QUEUE] as const;

/**
 * The queues' options. `heartbeatSeconds` (Jobs.HeartbeatSeconds) is how long an active job may
 * go without a heartbeat before pg-boss fails it and retries it: the bound on how long the work
 * of a dead instance waits on a shared PostgreSQL.
 */
export function queueOptions(heartbeatSeconds: number): Queue[] {
  return [
    // A poll is repeated by the schedule anyway: no retries; expiry frees a poll whose worker died.
    { name: POLL_QUEUE, policy: 'stately', retryLimit: 0, expireInSeconds: 15 * 60, heartbeatSeconds },
    // Stately per account: one dispatcher at a time, new sales join the job already waiting. POS
    // failures are retried by the dispatcher itself (short waits in the job, long ones as a job
    // for later); pg-boss's own retries only cover failures of possync itself (a database error).
    { name: DISPATCH_QUEUE, policy: 'stately', retryLimit: 100, retryDelay: 2, retryBackoff: true, retryDelayMax: 60, expireInSeconds: 15 * 60, heartbeatSeconds },
    // Stately per account: events arriving while a job waits join it. A failed re-read is retried
    // with back-off (the events stay pending); the next full poll covers them anyway.
    { name: WEBHOOK_QUEUE, policy: 'stately', retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 5 * 60, heartbeatSeconds },
    // The next tick is seconds away: no retries.
    { name: CHANGE_POLL_QUEUE, policy: 'stately', retryLimit: 0, expireInSeconds: 5 * 60, heartbeatSeconds },
    // A registration waits on the POS: retried with back-off when the POS is unavailable.
    { name: REGISTER_QUEUE, policy: 'standard', retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 10 * 60, heartbeatSeconds },
    // A bulk mapping is idempotent, so a run cut short by a crash is simply run again; a big
    // Lightspeed catalog reads at one page a second, hence the long expiry.
    { name: BULK_QUEUE, policy: 'standard', retryLimit: 2, retryDelay: 10, expireInSeconds: 3 * 60 * 60, heartbeatSeconds },
  ];
}

/**
 * Creates the queues, and brings existing ones to the options above: a database made by an
 * older possync gets changed retry, expiry and heartbeat settings too. pg-boss cannot change a
 * queue's policy; a queue with another policy stops start-up with what to do.
 */
export async function ensureQueues(boss: PgBoss, queues: readonly Queue[]): Promise<void> {
  for (const queue of queues) {
    const existing = await boss.getQueue(queue.name);
    if (!existing) {
      await boss.createQueue(queue.name, queue);
      continue;
    }
    if ((existing.policy ?? 'standard') !== (queue.policy ?? 'standard')) {
      throw new Error(
        `job queue ${queue.name} has policy ${existing.policy}, possync needs ${queue.policy}; pg-boss cannot change it in place: ` +
          `stop possync, let the queue drain, delete it (pg-boss deleteQueue('${queue.name}')) and start again`,
      );
    }
    const { name: _name, policy: _policy, partition: _partition, ...options } = queue;
    const changed = Object.entries(options).some(([key, value]) => (existing as unknown as Record<string, unknown>)[key] !== value);
    if (changed) await boss.updateQueue(queue.name, options as UpdateQueueOptions);
  }
}
