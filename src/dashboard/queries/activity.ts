/**
 * possync's own history for the overview: sales by state, and per-hour series over the last 24 h
 * (items changed and POS calls from sync runs, sales accepted and posted). Each reads by time
 * through an index added for the dashboard (migration 004).
 */
import type { SqlQueryable } from '../../core/sql.ts';
import type { SaleState } from '../../engine/ports.ts';

export const SALE_STATES: readonly SaleState[] = ['accepted', 'dispatching', 'posted', 'failed', 'incomplete', 'cancelled'];

/** Posted sales are counted over the last 24 hours; every other state in full (they are the few that need attention). */
export const SALES_COUNTED_OVER_24H: readonly SaleState[] = ['posted'];

const IN_FULL = SALE_STATES.filter((state) => !SALES_COUNTED_OVER_24H.includes(state));

export async function saleCounts(sql: SqlQueryable): Promise<Record<SaleState, number>> {
  // The states written into the statement (our constants), not bound: the planner then sees from
  // its statistics that they are rare and reads them through sales_state_recent; posted ones
  // through sales_posted_at, so the count does not grow with the ledger.
  const { rows } = await sql.query<{ state: SaleState; n: string }>(
    `select state, count(*) as n from sales where state in (${IN_FULL.map((state) => `'${state}'`).join(', ')}) group by state
     union all
     select 'posted', count(*) from sales where state = 'posted' and posted_at >= now() - interval '24 hours'`,
  );
  const counts = Object.fromEntries(SALE_STATES.map((s) => [s, 0])) as Record<SaleState, number>;
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

export type HourSeries = Map<number, number[]>;

/** Items changed and POS calls per hour, from the runs that started in that hour. */
export async function runsPerHour(sql: SqlQueryable): Promise<HourSeries> {
  const { rows } = await sql.query<{ hour: Date; changed: string; calls: string }>(
    `select date_trunc('hour', started_at) as hour, sum(items_changed) as changed, sum(api_calls) as calls
       from sync_runs where started_at >= date_trunc('hour', now()) - interval '23 hours' group by 1`,
  );
  return new Map(rows.map((r) => [r.hour.getTime() / 1000, [Number(r.changed), Number(r.calls)]]));
}

/** Sales accepted (by creation) and posted (by posting time) per hour. */
export async function salesPerHour(sql: SqlQueryable): Promise<HourSeries> {
  const { rows } = await sql.query<{ hour: Date; accepted: string; posted: string }>(
    `with a as (
       select date_trunc('hour', created_at) as hour, count(*) as n from sales
        where created_at >= date_trunc('hour', now()) - interval '23 hours' group by 1
     ), p as (
       select date_trunc('hour', posted_at) as hour, count(*) as n from sales
        where state = 'posted' and posted_at >= date_trunc('hour', now()) - interval '23 hours' group by 1
     )
     select coalesce(a.hour, p.hour) as hour, coalesce(a.n, 0) as accepted, coalesce(p.n, 0) as posted
       from a full join p on a.hour = p.hour`,
  );
  return new Map(rows.map((r) => [r.hour.getTime() / 1000, [Number(r.accepted), Number(r.posted)]]));
}

/** The 24 hour starts (epoch seconds) ending with the current hour, and each series laid on them (0 where empty). */
export function hourlySeries(nowMs: number, ...maps: HourSeries[]): { hours: number[]; series: number[][] } {
  const current = Math.floor(nowMs / 3_600_000) * 3600;
  const hours = Array.from({ length: 24 }, (_, i) => current - (23 - i) * 3600);
  const series: number[][] = [];
  for (const map of maps) {
    const width = Math.max(0, ...[...map.values()].map((v) => v.length));
    for (let column = 0; column < width; column++) series.push(hours.map((h) => map.get(h)?.[column] ?? 0));
  }
  return { hours, series };
}

export interface DashboardAction {
  id: number;
  at: Date;
  action: string;
  target: string;
  detail: string;
  reason: string;
  actor: string;
}

export const DASHBOARD_REASON = 'from the dashboard';

export async function recordAction(sql: SqlQueryable, action: Omit<DashboardAction, 'id' | 'at' | 'reason'>): Promise<void> {
  await sql.query('insert into dashboard_actions (action, target, detail, reason, actor) values ($1, $2, $3, $4, $5)', [
    action.action, action.target, action.detail, DASHBOARD_REASON, action.actor,
  ]);
}

export async function recentActions(sql: SqlQueryable, limit = 10): Promise<DashboardAction[]> {
  const { rows } = await sql.query<{ id: string; at: Date; action: string; target: string; detail: string; reason: string; actor: string }>(
    'select id, at, action, target, detail, reason, actor from dashboard_actions order by id desc limit $1',
    [limit],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
