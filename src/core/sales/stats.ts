import type { SqlQueryable } from '../sql.ts';
import type { SaleState } from '../../engine/ports.ts';

/** Sale counts by state and the oldest sale the POS does not have yet, for health and metrics. */
export interface SaleStats {
  byState: Partial<Record<SaleState, number>>;
  /** Creation time of the oldest accepted or dispatching sale (null when none waits). */
  oldestPendingAt: Date | null;
}

export async function saleStats(sql: SqlQueryable): Promise<SaleStats> {
  const { rows } = await sql.query<{ state: SaleState; n: number; oldest: Date | null }>(
    `select state, count(*)::int as n, min(created_at) as oldest from sales group by state`,
  );
  const byState: Partial<Record<SaleState, number>> = {};
  let oldest: Date | null = null;
  for (const row of rows) {
    byState[row.state] = row.n;
    if ((row.state === 'accepted' || row.state === 'dispatching') && row.oldest && (!oldest || row.oldest < oldest)) oldest = row.oldest;
  }
  return { byState, oldestPendingAt: oldest };
}
