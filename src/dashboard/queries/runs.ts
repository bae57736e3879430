/** Sync runs for the Runs page: every account or one, newest first, keyset-paged on the id. */
import type { SqlQueryable } from '../../core/sql.ts';
import { getRun, listRunsBefore, type SyncRun } from '../../core/runs.ts';

export { getRun };

export async function listRunsPage(sql: SqlQueryable, query: { accountId?: string; before?: number; limit?: number }): Promise<{ runs: SyncRun[]; next: number | null }> {
  const limit = query.limit ?? 50;
  const rows = await listRunsBefore(sql, { accountId: query.accountId || undefined, beforeId: query.before, limit: limit + 1 });
  const runs = rows.slice(0, limit);
  return { runs, next: rows.length > limit ? runs[runs.length - 1]!.id : null };
}
