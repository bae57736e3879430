import type { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import { POLL_QUEUE, type PollJobData } from './queues.ts';

/**
 * Queues a manual poll of an account, or joins the one already waiting: the poll queue is
 * stately per account, so pg-boss refuses a second queued job (`send` answers null) and the
 * caller gets the waiting job's id instead, which resolves at GET /api/itemstask/{id} like any.
 */
export async function queueOrJoinPoll(core: Core, boss: PgBoss, accountId: string): Promise<{ id: string; joined: boolean }> {
  const data: PollJobData = { accountId, trigger: 'manual' };
  // The waiting job may start between the refusal and the look-up; then a new one can be queued.
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = await boss.send(POLL_QUEUE, data, { singletonKey: accountId });
    if (id) return { id, joined: false };
    const { rows } = await core.sql.query<{ id: string }>(
      `select id from pgboss.job where name = $1 and singleton_key = $2 and state in ('created', 'retry')
        order by created_on limit 1`,
      [POLL_QUEUE, accountId],
    );
    if (rows[0]) return { id: rows[0].id, joined: true };
  }
  throw new Error(`could not queue a poll of ${accountId}: the queue refused it and no waiting poll was found`);
}
