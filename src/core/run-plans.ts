import type { SqlQueryable } from './sql.ts';

/**
 * Held runs and their plans (issue 12). A poll whose plan trips the breaker is finished as `held`
 * with its plan stored here, one row per item it would change; nothing reaches the counts or the
 * shop table until an operator applies it. Only the newest held run of an account can be applied:
 * a newer one supersedes it, since its read is newer news.
 */

export type PlanKind = 'count' | 'missing' | 'uncounted';

export interface PlanItem {
  ecommerceId: string;
  posItemId: string;
  /** count: the POS count moves; missing: the POS no longer knows the item (flag, quantity kept); uncounted: the POS gave no count. */
  kind: PlanKind;
  /** Available (what the shop sees) before and after. */
  before: number | null;
  after: number | null;
  onHandBefore: number | null;
  onHandAfter: number | null;
  note?: string | null;
}

export interface HeldRunInfo {
  id: number;
  accountId: string;
  status: string;
  readStartedAt: Date | null;
  heldReason: string | null;
  decidedAt: Date | null;
  decision: string | null;
  supersededBy: number | null;
  revertedAt: Date | null;
}

interface InfoRow {
  id: string | number;
  account_id: string;
  status: string;
  read_started_at: Date | null;
  held_reason: string | null;
  decided_at: Date | null;
  decision: string | null;
  superseded_by: string | number | null;
  reverted_at: Date | null;
}

const INFO = 'id, account_id, status, read_started_at, held_reason, decided_at, decision, superseded_by, reverted_at';

const toInfo = (r: InfoRow): HeldRunInfo => ({
  id: Number(r.id),
  accountId: r.account_id,
  status: r.status,
  readStartedAt: r.read_started_at,
  heldReason: r.held_reason,
  decidedAt: r.decided_at,
  decision: r.decision,
  supersededBy: r.superseded_by === null ? null : Number(r.superseded_by),
  revertedAt: r.reverted_at,
});

export async function runInfo(sql: SqlQueryable, runId: number): Promise<HeldRunInfo | null> {
  const { rows } = await sql.query<InfoRow>(`select ${INFO} from sync_runs where id = $1`, [runId]);
  return rows[0] ? toInfo(rows[0]) : null;
}

/** When the run's read began (every run records it, applied or held). */
export async function recordReadStart(sql: SqlQueryable, runId: number, at: Date): Promise<void> {
  await sql.query('update sync_runs set read_started_at = $2 where id = $1', [runId, at]);
}

/** The account's newest held run, if any. */
export async function newestHeldRun(sql: SqlQueryable, accountId: string): Promise<number | null> {
  const { rows } = await sql.query<{ id: string | number }>(`select id from sync_runs where account_id = $1 and status = 'held' order by id desc limit 1`, [accountId]);
  return rows[0] ? Number(rows[0].id) : null;
}

/** Every account's newest held run id, by account (health, status, the dashboard). */
export async function heldRunsByAccount(sql: SqlQueryable): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ account_id: string; id: string | number }>(
    `select account_id, max(id) as id from sync_runs where status = 'held' group by account_id`,
  );
  return new Map(rows.map((r) => [r.account_id, Number(r.id)]));
}

/**
 * Stores a held run's plan and finishes it as held, superseding the account's older held runs,
 * in one transaction.
 */
export async function holdRun(
  sql: SqlQueryable,
  run: { id: number; accountId: string; reason: string; itemsRead: number; apiCalls: number; readStartedAt: Date },
  items: readonly PlanItem[],
): Promise<void> {
  const col = <K extends keyof PlanItem>(key: K) => items.map((item) => item[key] ?? null);
  if (items.length > 0) {
    await sql.query(
      `insert into run_plan_items (run_id, ecommerce_id, pos_item_id, kind, before, after, on_hand_before, on_hand_after, note)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[])
       on conflict (run_id, ecommerce_id) do nothing`,
      [run.id, col('ecommerceId'), col('posItemId'), col('kind'), col('before'), col('after'), col('onHandBefore'), col('onHandAfter'), col('note')],
    );
  }
  await sql.query(
    `update sync_runs set status = 'held', finished_at = coalesce(finished_at, now()), held_reason = $2, items_read = $3,
            items_changed = $4, api_calls = $5, read_started_at = $6
      where id = $1`,
    [run.id, run.reason, run.itemsRead, items.length, run.apiCalls, run.readStartedAt],
  );
  await sql.query(
    `update sync_runs set status = 'superseded', decision = 'superseded', decided_at = now(), superseded_by = $2
      where account_id = $1 and status = 'held' and id < $2`,
    [run.accountId, run.id],
  );
}

/**
 * Moves a held run to its decided state; false when it was no longer held (someone decided first).
 * An applied poll confirms every item it read, as it would have at once (core/freshness.ts); a
 * webhook or change-poll batch read only some items and confirms none that way.
 */
export async function decideRun(sql: SqlQueryable, runId: number, decision: 'applied' | 'discarded', itemsChanged?: number): Promise<boolean> {
  const { rows } = await sql.query(
    `update sync_runs set status = $2::text, decision = $3, decided_at = now(), items_changed = coalesce($4, items_changed),
            confirmed_at = case when $2::text = 'ok' and trigger not in ('webhook', 'change-poll') then read_started_at else confirmed_at end
      where id = $1 and status = 'held' returning id`,
    [runId, decision === 'applied' ? 'ok' : 'discarded', decision, itemsChanged ?? null],
  );
  return rows.length > 0;
}

export async function markReverted(sql: SqlQueryable, runId: number): Promise<boolean> {
  const { rows } = await sql.query(`update sync_runs set reverted_at = now() where id = $1 and reverted_at is null returning id`, [runId]);
  return rows.length > 0;
}

interface PlanRow {
  ecommerce_id: string;
  pos_item_id: string;
  kind: PlanKind;
  before: number | null;
  after: number | null;
  on_hand_before: number | null;
  on_hand_after: number | null;
  note: string | null;
}

const toItem = (r: PlanRow): PlanItem => ({
  ecommerceId: r.ecommerce_id,
  posItemId: r.pos_item_id,
  kind: r.kind,
  before: r.before,
  after: r.after,
  onHandBefore: r.on_hand_before,
  onHandAfter: r.on_hand_after,
  note: r.note,
});

/** A run's plan, by e-commerce id after `cursor` (paging); all of it without a limit. */
export async function planItems(sql: SqlQueryable, runId: number, page: { limit?: number; after?: string } = {}): Promise<PlanItem[]> {
  const { rows } = await sql.query<PlanRow>(
    `select ecommerce_id, pos_item_id, kind, before, after, on_hand_before, on_hand_after, note from run_plan_items
      where run_id = $1 and ($2::text is null or ecommerce_id > $2) order by ecommerce_id limit $3`,
    [runId, page.after ?? null, page.limit ?? null],
  );
  return rows.map(toItem);
}

export async function planSize(sql: SqlQueryable, runId: number): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from run_plan_items where run_id = $1', [runId]);
  return rows[0]?.n ?? 0;
}

/**
 * What an applied run changed, from the journal (a run applied at once stores no plan): the
 * first entry per item, paged like planItems.
 */
export async function journaledItems(sql: SqlQueryable, runId: number, page: { limit?: number; after?: string } = {}): Promise<PlanItem[]> {
  const { rows } = await sql.query<PlanRow>(
    `select distinct on (j.ecommerce_id) j.ecommerce_id, coalesce(s.pos_item_id, m.pos_item_id, '') as pos_item_id, 'count' as kind,
            j.before, j.after, j.on_hand_before, j.on_hand_after, j.note
       from stock_journal j left join mappings m on m.ecommerce_id = j.ecommerce_id
       -- A change to an extra source of the item names that source's POS item (issue 12).
       left join item_sources s on s.ecommerce_id = j.ecommerce_id and s.account_id = j.account_id
      where j.run_id = $1 and j.cause in ('poll', 'webhook') and ($2::text is null or j.ecommerce_id > $2)
      order by j.ecommerce_id, j.id limit $3`,
    [runId, page.after ?? null, page.limit ?? null],
  );
  return rows.map(toItem);
}

/** Held runs of every account (or one), newest first: the dashboard's list. */
export async function listHeldRuns(sql: SqlQueryable, accountId?: string): Promise<HeldRunInfo[]> {
  const { rows } = await sql.query<InfoRow>(
    `select ${INFO} from sync_runs where status = 'held' and ($1::text is null or account_id = $1) order by id desc limit 200`,
    [accountId ?? null],
  );
  return rows.map(toInfo);
}
