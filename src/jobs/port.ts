import type { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import type { JobsPort, PollJob, RegistrationJob } from '../engine/jobs-port.ts';
import type { RegisterItemRequest } from '../engine/ports.ts';
import { BULK_QUEUE, DISPATCH_QUEUE, POLL_QUEUE, REGISTER_QUEUE, WEBHOOK_QUEUE, type AccountJobData, type BulkJobData, type DispatchJobData, type PollJobData } from './queues.ts';
import { queueOrJoinPoll } from './polls.ts';
import { scheduleAccounts, unscheduleAccounts } from './schedule.ts';

/** The engine's job port on pg-boss: the one place that sends possync's jobs. */
export function createJobsPort(core: Core, boss: PgBoss): JobsPort {
  return {
    async queueDispatch(accountId, tx, afterSeconds) {
      const data: DispatchJobData = { accountId };
      await boss.send(DISPATCH_QUEUE, data, {
        singletonKey: accountId,
        ...(tx ? { db: core.jobDb(tx) } : {}),
        ...(afterSeconds ? { startAfter: Math.ceil(afterSeconds) } : {}),
      });
    },
    async queueWebhook(accountId) {
      const data: AccountJobData = { accountId };
      await boss.send(WEBHOOK_QUEUE, data, { singletonKey: accountId });
    },
    queuePoll: (accountId) => queueOrJoinPoll(core, boss, accountId),
    async pollJob(jobId): Promise<PollJob | null> {
      const job = await boss.getJobById<PollJobData>(POLL_QUEUE, jobId);
      if (!job) return null;
      return {
        id: job.id, state: job.state, accountId: job.data.accountId, trigger: job.data.trigger, output: job.output,
        createdAt: new Date(job.createdOn), startedAt: job.startedOn ? new Date(job.startedOn) : null, completedAt: job.completedOn ? new Date(job.completedOn) : null,
      };
    },
    async check() {
      await boss.getQueues();
    },
    async queueRegister(request) {
      const id = await boss.send(REGISTER_QUEUE, { ...request });
      if (!id) throw new Error('the job queue refused the registration');
      return id;
    },
    async registration(jobId): Promise<RegistrationJob | null> {
      const job = await boss.getJobById<RegisterItemRequest>(REGISTER_QUEUE, jobId);
      if (!job) return null;
      return { id: job.id, state: job.state, request: job.data, output: job.output, createdAt: new Date(job.createdOn), completedAt: job.completedOn ? new Date(job.completedOn) : null };
    },
    async queueBulkImport(importId) {
      const data: BulkJobData = { importId };
      const id = await boss.send(BULK_QUEUE, data);
      if (!id) throw new Error('the job queue refused the import');
      return id;
    },
    schedulePolls: (accountIds, cron, timeZone) => scheduleAccounts(boss, accountIds, cron, timeZone),
    unschedulePolls: () => unscheduleAccounts(boss),
  };
}
