import { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import { ensureQueues } from './queues.ts';

/**
 * Starts pg-boss on the core database (in-process on PGlite, shared on PostgreSQL). Recovery
 * times are set on purpose: a job whose worker was killed is failed by its heartbeat (30 s) or
 * expiry, and the supervisor checks every 30 s, so pending work resumes soon after a restart.
 */
export async function startBoss(core: Core, onError: (error: Error) => void): Promise<PgBoss> {
  const boss = new PgBoss({
    ...core.pgBossOptions(),
    superviseIntervalSeconds: 30,
    maintenanceIntervalSeconds: 120,
    monitorIntervalSeconds: 30,
    // A due cron occurrence is noticed within 10 s (default 30): a one-minute schedule stays one minute.
    cronMonitorIntervalSeconds: 10,
  } as ConstructorParameters<typeof PgBoss>[0]);
  boss.on('error', onError);
  await boss.start();
  await ensureQueues(boss);
  return boss;
}
