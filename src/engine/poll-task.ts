import type { PgBoss } from 'pg-boss';
import { getRun, runOfJob } from '../core/runs.ts';
import type { SqlQueryable } from '../core/sql.ts';
import { POLL_QUEUE, type PollJobData } from '../jobs/queues.ts';
import type { PollTaskView } from './ports.ts';
import { toRunView } from './synchronizer.ts';

/**
 * A poll job as a task: queued, running (with the counts so far, read from its run), done or
 * failed (with the run it recorded). Jobs answer what pg-boss kept; runs what possync recorded.
 */
export async function pollTask(sql: SqlQueryable, boss: PgBoss, id: string): Promise<PollTaskView | null> {
  const job = await boss.getJobById<PollJobData>(POLL_QUEUE, id);
  if (!job) return null;
  const base = {
    id: job.id,
    kind: 'poll' as const,
    createdAt: new Date(job.createdOn).toISOString(),
    finishedAt: job.completedOn ? new Date(job.completedOn).toISOString() : null,
    request: { accountId: job.data.accountId, trigger: job.data.trigger === 'forced' ? 'manual' : job.data.trigger },
  };
  if (job.state === 'created' || job.state === 'retry') {
    return { ...base, state: 'queued', progress: null, result: null, error: null };
  }
  if (job.state === 'active') {
    const run = job.startedOn ? await runOfJob(sql, job.data.accountId, new Date(job.startedOn)) : null;
    return { ...base, state: 'running', progress: run ? { itemsRead: run.itemsRead, itemsChanged: run.itemsChanged } : null, result: null, error: null };
  }
  const output = job.output as { runId?: number; message?: string } | null | undefined;
  if (job.state === 'completed') {
    const run = typeof output?.runId === 'number' ? await getRun(sql, output.runId) : null;
    if (!run) return { ...base, state: 'done', progress: null, result: null, error: null };
    const view = toRunView(run);
    return {
      ...base,
      state: run.status === 'failed' ? 'failed' : 'done',
      progress: null,
      result: view,
      error: run.status === 'failed' ? { message: run.error ?? 'the poll failed' } : null,
    };
  }
  const message = typeof output?.message === 'string' ? output.message : `poll ${job.state}`;
  return { ...base, state: 'failed', progress: null, result: null, error: { message } };
}
