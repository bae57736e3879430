/**
 * The dashboard's actions on pg-boss jobs, through pg-boss's own API (never by editing its
 * tables). Only what is safe: a finished job may be deleted (history only), a failed or cancelled
 * one requeued (every possync handler is idempotent). A running or waiting job is left alone:
 * deleting a waiting dispatch or registration would strand the work it carries.
 */
import type { PgBoss } from 'pg-boss';
import type { JobRow } from './queries/jobs.ts';

export interface JobActions {
  requeue(job: JobRow): Promise<boolean>;
  remove(job: JobRow): Promise<boolean>;
}

export function canRequeue(job: Pick<JobRow, 'state'>): boolean {
  return job.state === 'failed' || job.state === 'cancelled';
}

export function canDelete(job: Pick<JobRow, 'state'>): boolean {
  return job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled';
}

export function bossJobActions(boss: PgBoss): JobActions {
  return {
    async requeue(job) {
      if (!canRequeue(job)) return false;
      const result = job.state === 'failed' ? await boss.retry(job.name, job.id) : await boss.resume(job.name, job.id);
      return affected(result) > 0;
    },
    async remove(job) {
      if (!canDelete(job)) return false;
      const result = await boss.deleteJob(job.name, job.id);
      return affected(result) > 0;
    },
  };
}

/** pg-boss types its command answers as an empty interface; the count is there at run time. */
function affected(result: unknown): number {
  return (result as { affected?: number } | null)?.affected ?? 0;
}
