import type { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import type { JobsPort } from '../engine/jobs-port.ts';
import { accountsWithPendingSales } from '../core/sales/ledger.ts';
import { freeAllLeases } from '../core/sales/lease.ts';
import { accountsWithPendingEvents } from '../core/webhooks.ts';
import { CHANGE_POLL_QUEUE, DISPATCH_QUEUE, POLL_QUEUE, REGISTER_QUEUE, WEBHOOK_QUEUE } from './queues.ts';

/**
 * At boot. On PGlite the lock file guarantees this is the only process, so a job still marked
 * active was cut short by a crash: fail it now (pg-boss retries it) rather than wait for its
 * heartbeat to expire. On PostgreSQL other instances may be running them, so that is left to
 * pg-boss (and a dead instance's dispatch lease expires by itself). Then make sure every account
 * with unposted sales has a dispatch job, and every account with webhook events not applied yet
 * has a webhook job.
 */
export async function recoverJobs(core: Core, boss: PgBoss, jobs: JobsPort, log: (message: string) => void): Promise<void> {
  if (core.kind === 'pglite') {
    for (const queue of [POLL_QUEUE, DISPATCH_QUEUE, REGISTER_QUEUE, WEBHOOK_QUEUE, CHANGE_POLL_QUEUE]) {
      const { rows } = await core.sql.query<{ id: string }>(`select id from pgboss.job where name = $1 and state = 'active'`, [queue]);
      if (rows.length === 0) continue;
      await boss.fail(queue, rows.map((r) => r.id), { message: 'possync stopped while this job ran' });
      log(`recovered ${rows.length} ${queue} job(s) left running by a stopped possync`);
    }
    const leases = await freeAllLeases(core.sql);
    if (leases > 0) log(`freed ${leases} dispatch lease(s) left by a stopped possync`);
  }
  for (const accountId of await accountsWithPendingSales(core.sql)) await jobs.queueDispatch(accountId);
  for (const accountId of await accountsWithPendingEvents(core.sql)) await jobs.queueWebhook(accountId);
}
