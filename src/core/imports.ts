import type { SqlQueryable } from './sql.ts';

/**
 * Bulk imports as the job runs them: the rows going in, progress (rows done of total, the stage)
 * while it runs, and the report when it is done. Progress is written once per batch, not per row.
 */
export type ImportState = 'queued' | 'running' | 'done' | 'failed';

export interface ImportRecord<Row, Report, Summary> {
  id: string;
  dryRun: boolean;
  state: ImportState;
  total: number;
  done: number;
  rows: Row[];
  report: Report[] | null;
  summary: Summary | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface ImportRow {
  id: string;
  dry_run: boolean;
  state: ImportState;
  total: number;
  done: number;
  rows?: unknown;
  report: unknown;
  summary: unknown;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export async function createImport(sql: SqlQueryable, input: { id: string; dryRun: boolean; rows: readonly unknown[] }): Promise<void> {
  await sql.query(`insert into item_imports (id, dry_run, state, total, rows) values ($1, $2, 'queued', $3, $4::jsonb)`, [
    input.id,
    input.dryRun,
    input.rows.length,
    JSON.stringify(input.rows),
  ]);
}

/** The import with its rows (for the job) or without them (for status answers). */
export async function getImport<Row, Report, Summary>(sql: SqlQueryable, id: string, withRows = false): Promise<ImportRecord<Row, Report, Summary> | null> {
  const { rows } = await sql.query<ImportRow>(
    `select id, dry_run, state, total, done, ${withRows ? 'rows' : 'null as rows'}, report, summary, error, created_at, finished_at from item_imports where id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    dryRun: row.dry_run,
    state: row.state,
    total: row.total,
    done: row.done,
    rows: (row.rows ?? []) as Row[],
    report: row.report as Report[] | null,
    summary: row.summary as Summary | null,
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export async function saveProgress(sql: SqlQueryable, id: string, done: number, summary: unknown): Promise<void> {
  await sql.query(`update item_imports set state = 'running', done = $2, summary = $3::jsonb where id = $1`, [id, done, JSON.stringify(summary)]);
}

export async function finishImport(sql: SqlQueryable, id: string, outcome: { report: unknown[]; summary: unknown } | { error: string }): Promise<void> {
  if ('error' in outcome) {
    await sql.query(`update item_imports set state = 'failed', error = $2, finished_at = now() where id = $1`, [id, outcome.error]);
    return;
  }
  await sql.query(`update item_imports set state = 'done', done = total, report = $2::jsonb, summary = $3::jsonb, error = null, finished_at = now() where id = $1`, [
    id,
    JSON.stringify(outcome.report),
    JSON.stringify(outcome.summary),
  ]);
}
