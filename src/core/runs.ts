import type { SqlQueryable } from './sql.ts';

/** Sync runs: one read of an account's counts and the writes that followed, for status and history. */

export type RunTrigger = 'cron' | 'forced' | 'register' | 'webhook' | 'boot' | 'manual';
export type RunStatus = 'running' | 'ok' | 'failed';

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
}

const COLUMNS = 'id, account_id, trigger, started_at, finished_at, status, items_read, items_changed, api_calls, error';

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
  };
}

export async function startRun(sql: SqlQueryable, run: { accountId: string; trigger: RunTrigger; startedAt?: Date }): Promise<SyncRun> {
  const { rows } = await sql.query<RunRow>(
    `insert into sync_runs (account_id, trigger, started_at) values ($1, $2, coalesce($3::timestamptz, now())) returning ${COLUMNS}`,
    [run.accountId, run.trigger, run.startedAt ?? null],
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

export async function getRun(sql: SqlQueryable, runId: number): Promise<SyncRun | null> {
  const { rows } = await sql.query<RunRow>(`select ${COLUMNS} from sync_runs where id = $1`, [runId]);
  return rows[0] ? toRun(rows[0]) : null;
}

/** The latest run of each account (running or finished), by account id. */
export async function lastRuns(sql: SqlQueryable): Promise<SyncRun[]> {
  const { rows } = await sql.query<RunRow>(`select distinct on (account_id) ${COLUMNS} from sync_runs order by account_id, id desc`);
  return rows.map(toRun);
}

/** An account's runs, latest first. */
export async function listRuns(sql: SqlQueryable, accountId: string, limit = 50): Promise<SyncRun[]> {
  const { rows } = await sql.query<RunRow>(`select ${COLUMNS} from sync_runs where account_id = $1 order by id desc limit $2`, [accountId, limit]);
  return rows.map(toRun);
}

/**
 * Marks runs left 'running' by a process that died as failed. Call at boot, and only where no
 * other possync instance can be mid-run on the same database (PGlite, or after taking a poll's lock).
 */
export async function failAbandonedRuns(sql: SqlQueryable, accountId?: string): Promise<number> {
  const { rows } = await sql.query(
    `update sync_runs set status = 'failed', finished_at = now(), error = 'abandoned: possync stopped during the run'
     where status = 'running' and ($1::text is null or account_id = $1) returning id`,
    [accountId ?? null],
  );
  return rows.length;
}
