import { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import { DEFAULT_JOBS } from '../config/defaults.ts';
import type { JobsConfig } from '../config/types.ts';
import { ensureQueues, queueOptions } from './queues.ts';

/**
 * Starts pg-boss on the core database (in-process on PGlite, shared on PostgreSQL). Recovery
 * times are set on purpose: a job whose worker was killed is failed by its heartbeat
 * (Jobs.HeartbeatSeconds) or expiry, and the supervisor looks for those every half heartbeat (at
 * most every 30 s), so pending work resumes soon after a restart or on another instance.
 */
export async function startBoss(core: Core, onError: (error: Error) => void, jobs: Pick<JobsConfig, 'heartbeatSeconds'> = DEFAULT_JOBS): Promise<PgBoss> {
  const supervise = superviseSeconds(jobs.heartbeatSeconds);
  const boss = new PgBoss({
    ...core.pgBossOptions(),
    superviseIntervalSeconds: supervise,
    maintenanceIntervalSeconds: 120,
    // pg-boss fails jobs by heartbeat inside its monitor pass, which runs at most once per
    // monitorIntervalSeconds whatever the supervise timer says: at 30 s, a killed instance's dispatch
    // waited ~35 s instead of a heartbeat and a half (measured in the SIGKILL matrix).
    monitorIntervalSeconds: supervise,
    // A due cron occurrence is noticed within 10 s (default 30): a one-minute schedule stays one minute.
    cronMonitorIntervalSeconds: 10,
  } as ConstructorParameters<typeof PgBoss>[0]);
  boss.on('error', onError);
  await boss.start();
  await ensureQueues(boss, queueOptions(jobs.heartbeatSeconds));
  return boss;
}

/** A dead job is failed at most a heartbeat and a half after its last beat. */
export function superviseSeconds(heartbeatSeconds: number): number {
  return Math.min(30, Math.max(1, Math.ceil(heartbeatSeconds / 2)));
}
