/** Sync runs for the Runs page: every account or one, newest first, keyset-paged on the id. */
import type { SqlQueryable } from '../../core/sql.ts';
import { getRun, type SyncRun } from '../../core/runs.ts';

export { getRun };

export async function listRunsPage(sql: SqlQueryable, query: { accountId?: string; before?: number; limit?: number }): Promise<{ runs: SyncRun[]; next: number | null }> {
  const limit = query.limit ?? 50;
  const { rows } = await sql.query<{ id: string }>(
    `select id from sync_runs
      where ($1::text is null or account_id = $1) and ($2::bigint is null or id < $2)
      order by id desc limit $3`,
    [query.accountId || null, query.before ?? null, limit + 1],
  );
  const ids = rows.slice(0, limit).map((r) => Number(r.id));
  const runs = (await Promise.all(ids.map((id) => getRun(sql, id)))).filter((r): r is SyncRun => r !== null);
  return { runs, next: rows.length > limit ? ids[ids.length - 1]! : null };
}
