/**
 * pg-boss's jobs, schedules and instances read straight from its tables (schema `pgboss`), for
 * the Hangfire-style pages. Reads only: actions go through pg-boss's own API (job-actions.ts).
 * Lists are keyset-paged on (created_on, id) and filtered by queue name first, which pg-boss's
 * (name, created_on) index serves.
 */
import type { SqlQueryable } from '../../core/sql.ts';

/** Hangfire's names for pg-boss's states. */
export const JOB_TABS = ['queued', 'scheduled', 'processing', 'succeeded', 'failed', 'cancelled'] as const;
export type JobTab = (typeof JOB_TABS)[number];

/** Each tab as a SQL condition on pg-boss's state (and start_after: a delayed job is "scheduled"). */
const TAB_WHERE: Record<JobTab, string> = {
  queued: `state = 'created' and start_after <= now()`,
  scheduled: `(state = 'retry' or (state = 'created' and start_after > now()))`,
  processing: `state = 'active'`,
  succeeded: `state = 'completed'`,
  failed: `state = 'failed'`,
  cancelled: `state = 'cancelled'`,
};

export function tabOf(state: string, startAfter: Date, now = Date.now()): JobTab {
  if (state === 'created') return startAfter.getTime() > now ? 'scheduled' : 'queued';
  if (state === 'retry') return 'scheduled';
  if (state === 'active') return 'processing';
  if (state === 'completed') return 'succeeded';
  return state === 'failed' ? 'failed' : 'cancelled';
}

export interface JobRow {
  id: string;
  name: string;
  state: string;
  data: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  singletonKey: string | null;
  retryCount: number;
  retryLimit: number;
  createdOn: Date;
  startAfter: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  heartbeatOn: Date | null;
  keepUntil: Date;
}

interface RawJob {
  id: string;
  name: string;
  state: string;
  data: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  singleton_key: string | null;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  heartbeat_on: Date | null;
  keep_until: Date;
}

const COLUMNS = 'id::text as id, name, state::text as state, data, output, singleton_key, retry_count, retry_limit, created_on, start_after, started_on, completed_on, heartbeat_on, keep_until';

function toJob(row: RawJob): JobRow {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    data: row.data,
    output: row.output,
    singletonKey: row.singleton_key,
    retryCount: row.retry_count,
    retryLimit: row.retry_limit,
    createdOn: row.created_on,
    startAfter: row.start_after,
    startedOn: row.started_on,
    completedOn: row.completed_on,
    heartbeatOn: row.heartbeat_on,
    keepUntil: row.keep_until,
  };
}

export interface JobPage {
  jobs: JobRow[];
  /** Cursor for the next (older) page, or null. */
  next: string | null;
}

/**
 * Newest first; `after` is the cursor of the previous page ("<iso created_on>_<id>"). One
 * index walk per queue (pg-boss's (name, created_on) index, newest first), merged: an ordered
 * read across several queue names would otherwise sort every job of the state.
 */
export async function listJobs(sql: SqlQueryable, queues: readonly string[], tab: JobTab, options: { after?: string; limit?: number } = {}): Promise<JobPage> {
  const limit = options.limit ?? 50;
  const [at, id] = parseCursor(options.after);
  const { rows } = await sql.query<RawJob>(
    `select j.* from unnest($1::text[]) as q(name)
       cross join lateral (
         select ${COLUMNS} from pgboss.job
          where name = q.name and ${TAB_WHERE[tab]}
            and ($2::timestamptz is null or (created_on, id) < ($2::timestamptz, $3::uuid))
          order by created_on desc, id desc limit $4
       ) j
      order by j.created_on desc, j.id desc limit $4`,
    [[...queues], at, id, limit + 1],
  );
  const jobs = rows.slice(0, limit).map(toJob);
  const last = jobs[jobs.length - 1];
  return { jobs, next: rows.length > limit && last ? `${last.createdOn.toISOString()}_${last.id}` : null };
}

function parseCursor(cursor: string | undefined): [string | null, string | null] {
  if (!cursor) return [null, null];
  const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)_([0-9a-f-]{36})$/i.exec(cursor);
  return match ? [match[1]!, match[2]!] : [null, null];
}

export async function getJob(sql: SqlQueryable, queues: readonly string[], id: string): Promise<JobRow | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await sql.query<RawJob>(`select ${COLUMNS} from pgboss.job where name = any($1::text[]) and id = $2::uuid`, [[...queues], id]);
  return rows[0] ? toJob(rows[0]) : null;
}

/** Finished states are counted over the last 24 hours (the live ones in full). */
export const COUNTED_OVER_24H: readonly JobTab[] = ['succeeded', 'cancelled'];

/**
 * Jobs per Hangfire state, counted live through pg-boss's own partial indexes: waiting, running
 * and failed jobs in full (job_i14), succeeded and cancelled ones finished in the last 24 hours
 * (job_i16), so the count costs the same with 100,000 finished jobs kept.
 */
export async function jobCounts(sql: SqlQueryable, queues: readonly string[]): Promise<Record<JobTab, number>> {
  const { rows } = await sql.query<{ tab: JobTab; n: string }>(
    `select case
              when state = 'created' and start_after <= now() then 'queued'
              when state in ('created', 'retry') then 'scheduled'
              when state = 'active' then 'processing'
              else 'failed'
            end as tab, count(*) as n
       from pgboss.job where name = any($1::text[]) and state in ('created', 'retry', 'active', 'failed') group by 1
     union all
     select case when state = 'completed' then 'succeeded' else 'cancelled' end, count(*)
       from pgboss.job where name = any($1::text[]) and completed_on >= now() - interval '24 hours' and state in ('completed', 'cancelled') group by 1`,
    [[...queues]],
  );
  const counts = Object.fromEntries(JOB_TABS.map((t) => [t, 0])) as Record<JobTab, number>;
  for (const row of rows) if (row.tab in counts) counts[row.tab] += Number(row.n);
  return counts;
}

/** Succeeded and failed jobs per hour over the last 24 h (by completion time). */
export async function jobsPerHour(sql: SqlQueryable, queues: readonly string[]): Promise<Map<number, [number, number]>> {
  const { rows } = await sql.query<{ hour: Date; ok: string; failed: string }>(
    `select date_trunc('hour', completed_on) as hour,
            count(*) filter (where state = 'completed') as ok,
            count(*) filter (where state = 'failed') as failed
       from pgboss.job
      where name = any($1::text[]) and completed_on >= date_trunc('hour', now()) - interval '23 hours'
      group by 1`,
    [[...queues]],
  );
  return new Map(rows.map((r) => [r.hour.getTime() / 1000, [Number(r.ok), Number(r.failed)]]));
}

export interface ScheduleRow {
  key: string;
  cron: string;
  timeZone: string;
  lastJobId: string | null;
  updatedOn: Date;
}

export async function listSchedules(sql: SqlQueryable, queue: string): Promise<ScheduleRow[]> {
  const { rows } = await sql.query<{ key: string; cron: string; timezone: string | null; last_job_id: string | null; updated_on: Date }>(
    `select key, cron, timezone, last_job_id::text as last_job_id, updated_on from pgboss.schedule where name = $1 order by key`,
    [queue],
  );
  return rows.map((r) => ({ key: r.key, cron: r.cron, timeZone: r.timezone ?? 'UTC', lastJobId: r.last_job_id, updatedOn: r.updated_on }));
}

export interface InstanceRow {
  id: string;
  name: string | null;
  host: string;
  pid: number;
  version: string;
  nodeVersion: string;
  workers: Array<{ name?: string; queue?: string; [key: string]: unknown }>;
  startedOn: Date;
  heartbeatOn: Date;
  stoppedOn: Date | null;
  /** Seconds since the last heartbeat, by the database's clock. */
  silentSeconds: number;
}

/** Every pg-boss instance that shares this database (one per possync process), newest first. */
export async function listInstances(sql: SqlQueryable): Promise<InstanceRow[]> {
  const { rows } = await sql.query<{
    id: string; name: string | null; host: string; pid: number; version: string; node_version: string;
    workers: InstanceRow['workers'] | null; started_on: Date; heartbeat_on: Date; stopped_on: Date | null; silent: number;
  }>(
    `select id::text as id, name, host, pid, version, node_version, workers, started_on, heartbeat_on, stopped_on,
            extract(epoch from now() - heartbeat_on)::float8 as silent
       from pgboss.instance order by started_on desc limit 100`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    host: r.host,
    pid: r.pid,
    version: r.version,
    nodeVersion: r.node_version,
    workers: Array.isArray(r.workers) ? r.workers : [],
    startedOn: r.started_on,
    heartbeatOn: r.heartbeat_on,
    stoppedOn: r.stopped_on,
    silentSeconds: Number(r.silent),
  }));
}

/** Hangfire's wording for a server's heartbeat: fine, stale after 1 min, possibly gone after 5. */
export function instanceHealth(instance: Pick<InstanceRow, 'silentSeconds' | 'stoppedOn'>): 'alive' | 'stale' | 'possibly gone' | 'stopped' {
  if (instance.stoppedOn) return 'stopped';
  if (instance.silentSeconds > 300) return 'possibly gone';
  if (instance.silentSeconds > 60) return 'stale';
  return 'alive';
}
