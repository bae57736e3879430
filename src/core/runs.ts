import type { SqlQueryable } from './sql.ts';
import type { AccountLocks } from './account-lock.ts';
import { INSTANCE_ID } from './instance.ts';

/** Sync runs: one read of an account's counts and the writes that followed, for status and history. */

export type RunTrigger = 'cron' | 'forced' | 'register' | 'webhook' | 'boot' | 'manual' | 'change-poll';
/** held / discarded / superseded: runs the breaker stopped (core/run-plans.ts). */
export type RunStatus = 'running' | 'ok' | 'failed' | 'held' | 'discarded' | 'superseded';

export interface SyncRun {
  id: number;
  accountId: string;
  trigger: RunTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  itemsRead: number;
  itemsChanged: number;
  apiCalls: number;
  error: string | null;
  /** The instance that made it (host:pid:random); null for runs older than the column. */
  owner: string | null;
}

interface RunRow {
  id: string | number;
  account_id: string;
  trigger: RunTrigger;
  started_at: Date;
  finished_at: Date | null;
  status: RunStatus;
  items_read: number;
  items_changed: number;
  api_calls: number;
  error: string | null;
  owner: string | null;
}

const COLUMNS = 'id, account_id, trigger, started_at, finished_at, status, items_read, items_changed, api_calls, error, owner';

function toRun(row: RunRow): SyncRun {
  return {
    id: Number(row.id),
    accountId: row.account_id,
    trigger: row.trigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    itemsRead: row.items_read,
    itemsChanged: row.items_changed,
    apiCalls: row.api_calls,
    error: row.error,
    owner: row.owner,
  };
}

export async function startRun(sql: SqlQueryable, run: { accountId: string; trigger: RunTrigger; startedAt?: Date }): Promise<SyncRun> {
  const { rows } = await sql.query<RunRow>(
    `insert into sync_runs (account_id, trigger, started_at, owner) values ($1, $2, coalesce($3::timestamptz, now()), $4) returning ${COLUMNS}`,
    [run.accountId, run.trigger, run.startedAt ?? null, INSTANCE_ID],
  );
  return toRun(rows[0]!);
}

export interface RunOutcome {
  status: 'ok' | 'failed';
  itemsRead?: number;
  itemsChanged?: number;
  apiCalls?: number;
  /** Why it failed; must already be free of secrets. */
  error?: string | null;
  /**
   * When the read began, for a run that read every mapped item of its account: each item it
   * counted counts as confirmed then (core/freshness.ts). Absent for partial or failed runs.
   */
  confirmedAt?: Date | null;
}

/** Finishes a running run; a run already finished is left as it is and returned unchanged. */
export async function finishRun(sql: SqlQueryable, runId: number, outcome: RunOutcome): Promise<SyncRun> {
  const { rows } = await sql.query<RunRow>(
    `update sync_runs
       set status = $2, finished_at = now(), items_read = $3, items_changed = $4, api_calls = $5, error = $6, confirmed_at = $7
     where id = $1 and status = 'running'
     returning ${COLUMNS}`,
    [runId, outcome.status, outcome.itemsRead ?? 0, outcome.itemsChanged ?? 0, outcome.apiCalls ?? 0, outcome.error ?? null, outcome.confirmedAt ?? null],
  );
  if (rows[0]) return toRun(rows[0]);
  const existing = await getRun(sql, runId);
  if (!existing) throw new Error(`sync run ${runId} does not exist`);
  return existing;
}

/** A running run's counts so far, so its job's progress can be read while it runs. */
export async function recordProgress(sql: SqlQueryable, runId: number, progress: { itemsRead: number; itemsChanged: number }): Promise<void> {
  await sql.query(`update sync_runs set items_read = $2, items_changed = $3 where id = $1 and status = 'running'`, [runId, progress.itemsRead, progress.itemsChanged]);
}

/** The run a poll job started: the account's first run begun at or after the job started. */
export async function runOfJob(sql: SqlQueryable, accountId: string, jobStartedAt: Date): Promise<SyncRun | null> {
  const { rows } = await sql.query<RunRow>(
    `select ${COLUMNS} from sync_runs where account_id = $1 and started_at >= $2 order by id limit 1`,
    [accountId, jobStartedAt],
  );
  return rows[0] ? toRun(rows[0]) : null;
}

export async function getRun(sql: SqlQueryable, runId: number): Promise<SyncRun | null> {
  const { rows } = await sql.query<RunRow>(`select ${COLUMNS} from sync_runs where id = $1`, [runId]);
  return rows[0] ? toRun(rows[0]) : null;
}

/** The latest run of each account (running or finished), by account id. */
export async function lastRuns(sql: SqlQueryable): Promise<SyncRun[]> {
  // One probe of sync_runs_account_latest per account, not a pass over every run ever kept.
  const { rows } = await sql.query<RunRow>(
    `select r.* from accounts a cross join lateral (
       select ${COLUMNS} from sync_runs where account_id = a.id order by id desc limit 1
     ) r order by r.account_id`,
  );
  return rows.map(toRun);
}

/** An account's runs, latest first. */
export async function listRuns(sql: SqlQueryable, accountId: string, limit = 50): Promise<SyncRun[]> {
  const { rows } = await sql.query<RunRow>(`select ${COLUMNS} from sync_runs where account_id = $1 order by id desc limit $2`, [accountId, limit]);
  return rows.map(toRun);
}

/** Runs of every account (or one), latest first, older than `beforeId` when given: the dashboard's paging. */
export async function listRunsBefore(sql: SqlQueryable, query: { accountId?: string; beforeId?: number; limit: number }): Promise<SyncRun[]> {
  const { rows } = await sql.query<RunRow>(
    `select ${COLUMNS} from sync_runs
      where ($1::text is null or account_id = $1) and ($2::bigint is null or id < $2)
      order by id desc limit $3`,
    [query.accountId ?? null, query.beforeId ?? null, query.limit],
  );
  return rows.map(toRun);
}

/**
 * Marks runs left 'running' by a process that died as failed. Call only while holding the
 * account's poll lock (every run is made under it, so a running run then has no live owner), or
 * where no other instance can be mid-run (PGlite).
 */
export async function failAbandonedRuns(sql: SqlQueryable, accountId?: string): Promise<number> {
  const { rows } = await sql.query(
    `update sync_runs set status = 'failed', finished_at = now(),
            error = 'abandoned: possync ' || coalesce(owner, '') || case when owner is null then '' else ' ' end || 'stopped during the run'
     where status = 'running' and ($1::text is null or account_id = $1) returning id`,
    [accountId ?? null],
  );
  return rows.length;
}

/**
 * At start: fails the running runs of every account whose poll lock is free (their owner is gone).
 * An account whose lock is held is mid-poll on a live instance; its run is left alone.
 */
export async function failAbandonedRunsWhereFree(sql: SqlQueryable, locks: AccountLocks): Promise<number> {
  const { rows } = await sql.query<{ account_id: string }>(`select distinct account_id from sync_runs where status = 'running'`);
  let failed = 0;
  for (const { account_id: accountId } of rows) {
    const result = await locks.ifFree('poll', accountId, () => failAbandonedRuns(sql, accountId));
    if (result.ran) failed += result.value;
  }
  return failed;
}
