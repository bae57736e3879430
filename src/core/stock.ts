import type { StockCount } from '../pos/contract.ts';
import type { SqlQueryable } from './sql.ts';
import { recordChanges, type JournalCause } from './journal.ts';
import { effectiveReadAtSql, FREEZE_CONFIRMED, RUN_CONFIRMED_AT } from './freshness.ts';
import { applySourceCounts, flagMissingSources } from './source-stock.ts';

/**
 * Applying POS counts to the core's stock state. Rules kept here: only changes are written and
 * journaled (6); an unknown count (onHand null) keeps the old value, an item the POS no longer
 * knows is flagged, never zeroed (5); available subtracts what the caller says is reserved (4).
 */

/** The quantity the shop sees: on hand less reserved, floored at 0; unknown stays unknown. */
/** The range of the core's and the original shop table's `int` quantity columns. */
export const MAX_COUNT = 2_147_483_647;
export const MIN_COUNT = -2_147_483_648;

/**
 * A count the columns can hold: one item's odd value must never fail its account's poll. Beyond
 * the int range it is clamped (and the note journaled); a non-whole number is left uncounted.
 */
function storableCount(count: StockCount): { onHand: number | null; note?: string } {
  const { onHand } = count;
  if (onHand === null) return { onHand };
  if (!Number.isInteger(onHand)) return { onHand: null, note: `the POS reported ${onHand}, not a whole number; left uncounted` };
  if (onHand > MAX_COUNT) return { onHand: MAX_COUNT, note: `the POS reported ${onHand}; stored as ${MAX_COUNT}, the largest count kept` };
  if (onHand < MIN_COUNT) return { onHand: MIN_COUNT, note: `the POS reported ${onHand}; stored as ${MIN_COUNT}, the smallest count kept` };
  return { onHand };
}

export function availableFrom(onHand: number | null, reserved: number): number | null {
  return onHand === null ? null : Math.max(0, onHand - reserved);
}

export interface CountsPage {
  accountId: string;
  runId: number | null;
  counts: readonly StockCount[];
  /** When the POS read began: a count read earlier than the one already stored is ignored. */
  readStartedAt: Date;
  /** Per e-commerce id, the units reserved by sales (rule 4); absent = 0. */
  reservedByItem?: ReadonlyMap<string, number>;
  /** Journal cause; 'poll' unless a webhook or a registration brought the counts. */
  cause?: JournalCause;
  /** Per POS item id, the event(s) that made a webhook re-read it (journaled beside the change). */
  eventIds?: ReadonlyMap<string, string>;
}

export interface StockChange {
  ecommerceId: string;
  posItemId: string;
  /** Available before and after (what the sink must be set to). */
  before: number | null;
  after: number | null;
  onHandBefore: number | null;
  onHandAfter: number | null;
  /** Set when the POS's value could not be stored as it was. */
  note?: string;
}

export interface CountsPageResult {
  changes: StockChange[];
  /** Mapped items the POS returned without a count: kept at their previous quantity. */
  uncounted: string[];
  /** POS ids in the page that no mapping of this account uses (nothing to write). */
  unmapped: string[];
  /** POS ids whose rows were written (a change or a flag): the rest of the page wrote nothing. */
  written: string[];
}

interface StockRow {
  ecommerce_id: string;
  pos_item_id: string;
  on_hand: number | null;
  on_hand_read_at: Date | null;
  available: number | null;
  missing_on_pos: boolean;
  uncounted_since: Date | null;
}

// FOR UPDATE: a sale reserving the same item waits for this page instead of racing it. The read
// time is the later of the row's own and that of the last run that confirmed it unchanged, so an
// older read arriving late never overwrites what a newer poll saw (freshness.ts).
const LOCK_ROWS = `
  select m.ecommerce_id, m.pos_item_id, m.on_hand, ${effectiveReadAtSql('m')} as on_hand_read_at, m.available, m.missing_on_pos, m.uncounted_since
  from mappings m
  where m.account_id = $1 and m.pos_item_id = any($2::text[])
  order by m.ecommerce_id
  for update of m`;

// The items whose first source or an extra source (item_sources) is one of these POS ids, in one
// statement and one order: locking the two kinds in two statements could cross another locker.
const LOCK_ITEMS = `
  select m.ecommerce_id from mappings m
  where m.ecommerce_id in (
    select f.ecommerce_id from mappings f where f.account_id = $1 and f.pos_item_id = any($2::text[])
    union
    select s.ecommerce_id from item_sources s where s.account_id = $1 and s.pos_item_id = any($2::text[]))
  order by m.ecommerce_id
  for update of m`;

/**
 * Locks an account's mapped items for these POS ids, in the one order every locker uses
 * (`ecommerce_id`, as intake and applyCountsPage do), so two transactions never wait on each other
 * in a cycle. A poll takes it before reading what is reserved (rule 4). Items fed by an extra
 * source in this account are locked too (their item row guards their source rows).
 */
export async function lockItems(tx: SqlQueryable, accountId: string, posItemIds: readonly string[]): Promise<void> {
  await tx.query(LOCK_ITEMS, [accountId, posItemIds]);
}

// Only rows with something to say are written (a poll that changes nothing writes nothing; the
// run's confirmed_at stands for the rest, see freshness.ts): a changed count, a missing flag to
// clear, or a count that went unknown or came back. A counted row is stamped confirmed; one whose
// count went unknown keeps the confirmation time it had.
const UPDATE_SEEN = `
  update mappings m set
    on_hand = u.on_hand,
    available = u.available,
    last_confirmed_at = case when u.counted then now() when u.lost_count then greatest(m.last_confirmed_at, ${RUN_CONFIRMED_AT}) else m.last_confirmed_at end,
    on_hand_read_at = case when u.counted then $2::timestamptz when u.lost_count then greatest(m.on_hand_read_at, ${RUN_CONFIRMED_AT}) else m.on_hand_read_at end,
    uncounted_since = case when u.counted then null when u.lost_count then now() else m.uncounted_since end,
    missing_on_pos = false,
    missing_since = null,
    missing_run_id = null,
    updated_at = case when u.changed then now() else m.updated_at end
  from unnest($1::text[], $3::int[], $4::int[], $5::bool[], $6::bool[], $7::bool[]) as u(ecommerce_id, on_hand, available, counted, changed, lost_count)
  where m.ecommerce_id = u.ecommerce_id`;

export async function applyCountsPage(sql: SqlQueryable, page: CountsPage): Promise<CountsPageResult> {
  const result: CountsPageResult = { changes: [], uncounted: [], unmapped: [], written: [] };
  // An empty page says nothing about any item.
  if (page.counts.length === 0) return result;

  const byPosId = new Map<string, { onHand: number | null; note?: string }>();
  for (const count of page.counts) byPosId.set(count.posItemId, storableCount(count));

  const { rows } = await sql.query<StockRow>(LOCK_ROWS, [page.accountId, [...byPosId.keys()]]);
  const mapped = new Set(rows.map((row) => row.pos_item_id));
  // POS ids no first source uses may feed an extra source of some item (item_sources).
  const others = new Map([...byPosId].filter(([id]) => !mapped.has(id)).map(([id, count]) => [id, { posItemId: id, ...count }]));
  const sources = await applySourceCounts(sql, page, others);
  result.unmapped = [...others.keys()].filter((id) => !sources.matched.has(id));

  const ids: string[] = [];
  const onHands: (number | null)[] = [];
  const availables: (number | null)[] = [];
  const counted: boolean[] = [];
  const changed: boolean[] = [];
  const lostCount: boolean[] = [];
  for (const row of rows) {
    const count = byPosId.get(row.pos_item_id)!;
    // A newer read (a webhook, another run) already stored its count: this one is older news.
    const outdated = row.on_hand_read_at !== null && row.on_hand_read_at.getTime() > page.readStartedAt.getTime();
    const isCounted = count.onHand !== null && !outdated;
    if (count.onHand === null) result.uncounted.push(row.ecommerce_id);
    const onHand = isCounted ? count.onHand : row.on_hand;
    // An outdated page's reservations are as old as its count: leave the row's quantities alone.
    const available = outdated ? row.available : availableFrom(onHand, page.reservedByItem?.get(row.ecommerce_id) ?? 0);
    const isChanged = onHand !== row.on_hand || available !== row.available;
    // Counted before, now without a count: runs stop confirming it until it is counted again.
    const losesCount = count.onHand === null && row.on_hand !== null && row.uncounted_since === null;
    const regainsCount = isCounted && row.uncounted_since !== null;
    if (!isChanged && !row.missing_on_pos && !losesCount && !regainsCount) continue;
    ids.push(row.ecommerce_id);
    result.written.push(row.pos_item_id);
    onHands.push(onHand);
    availables.push(available);
    // An unchanged row is written here only for a flag; stamping it confirmed is then free.
    counted.push(isCounted);
    changed.push(isChanged);
    lostCount.push(losesCount);
    if (isChanged) {
      result.changes.push({
        ecommerceId: row.ecommerce_id,
        posItemId: row.pos_item_id,
        before: row.available,
        after: available,
        onHandBefore: row.on_hand,
        onHandAfter: onHand,
        ...(count.note ? { note: count.note } : {}),
      });
    }
  }
  if (ids.length > 0) await writeSeen(sql, page, result, { ids, onHands, availables, counted, changed, lostCount });
  result.changes.push(...sources.changes);
  result.uncounted.push(...sources.uncounted);
  result.written.push(...sources.written);
  return result;
}

async function writeSeen(
  sql: SqlQueryable,
  page: CountsPage,
  result: CountsPageResult,
  { ids, onHands, availables, counted, changed, lostCount }: { ids: string[]; onHands: (number | null)[]; availables: (number | null)[]; counted: boolean[]; changed: boolean[]; lostCount: boolean[] },
): Promise<void> {
  await sql.query(UPDATE_SEEN, [ids, page.readStartedAt, onHands, availables, counted, changed, lostCount]);
  await recordChanges(sql, result.changes, { accountId: page.accountId, cause: page.cause ?? 'poll', runId: page.runId, eventIds: page.eventIds });
}

const FLAG_MISSING = `
  update mappings m set missing_on_pos = true, missing_since = now(), missing_run_id = $3, updated_at = now(), ${FREEZE_CONFIRMED}
  where m.account_id = $1 and m.pos_item_id = any($2::text[]) and not m.missing_on_pos
  returning m.ecommerce_id`;

/**
 * Flags items the POS no longer knows. Their quantity stays as it was (a vanished item is not a
 * sold-out one); returns the e-commerce ids newly flagged.
 */
export async function flagMissing(sql: SqlQueryable, accountId: string, runId: number | null, posItemIds: readonly string[]): Promise<string[]> {
  if (posItemIds.length === 0) return [];
  const { rows } = await sql.query<{ ecommerce_id: string }>(FLAG_MISSING, [accountId, [...posItemIds], runId]);
  const sources = await flagMissingSources(sql, accountId, posItemIds);
  return [...rows.map((row) => row.ecommerce_id), ...sources].sort();
}
