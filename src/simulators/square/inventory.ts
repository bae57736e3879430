/**
 * Inventory history and the counts derived from it, the way Square computes them: per
 * (variation, location, state) the last physical count by `occurred_at`, plus every adjustment
 * after it. A key with no history has no row at all (absence is not zero).
 *
 * Rows of listed states are also kept in one array sorted by `calculated_at` descending (ties by
 * row creation order), so a page of BatchRetrieveInventoryCounts is a binary search plus a short
 * scan instead of a full sort.
 */

/** States Square does not keep counts for: never listed by BatchRetrieveInventoryCounts. */
export const UNTRACKED_STATES: ReadonlySet<string> = new Set(['NONE', 'SOLD', 'UNLINKED_RETURN']);

export interface Effect {
  /** Ordering time chosen by the client (`occurred_at`), ms. */
  occurredAt: number;
  /** Arrival order; breaks ties between equal `occurred_at`. */
  seq: number;
  /** Server receipt time, ms; drives `calculated_at`. */
  createdAt: number;
  kind: 'count' | 'delta';
  units: number;
}

export interface CountRow {
  variationId: string;
  locationId: string;
  state: string;
  effects: Effect[];
  units: number;
  calculatedAt: number;
  rowSeq: number;
  listed: boolean;
}

export interface CountsQuery {
  variationIds: ReadonlySet<string> | null;
  locationIds: ReadonlySet<string> | null;
  states: ReadonlySet<string> | null;
  /** Exclusive lower bound on calculated_at, ms. */
  updatedAfter: number | null;
  /** Resume strictly after this sort position (from a cursor). */
  after: { t: number; s: number } | null;
  limit: number;
}

export interface CountsPage {
  rows: CountRow[];
  /** Sort position of the last row when more rows match; null on the last page. */
  next: { t: number; s: number } | null;
}

const keyOf = (variationId: string, locationId: string, state: string): string => `${variationId}\u0000${locationId}\u0000${state}`;

/** Does `row` sort before position (t, s)? Newest first, then older rows by creation order. */
const sortsBefore = (row: CountRow, t: number, s: number): boolean => row.calculatedAt > t || (row.calculatedAt === t && row.rowSeq < s);

export class InventoryStore {
  private rows = new Map<string, CountRow>();
  private byVariation = new Map<string, CountRow[]>();
  private order: CountRow[] = [];
  private nextEffectSeq = 1;
  private nextRowSeq = 1;

  clear(): void {
    this.rows.clear();
    this.byVariation.clear();
    this.order = [];
    this.nextEffectSeq = 1;
    this.nextRowSeq = 1;
  }

  get(variationId: string, locationId: string, state: string): CountRow | undefined {
    return this.rows.get(keyOf(variationId, locationId, state));
  }

  rowsOf(variationId: string): readonly CountRow[] {
    return this.byVariation.get(variationId) ?? [];
  }

  /** Adds one effect; answers whether the row's quantity or calculated_at moved. */
  apply(variationId: string, locationId: string, state: string, effect: Omit<Effect, 'seq'>): { row: CountRow; changed: boolean } {
    const row = this.rowFor(variationId, locationId, state);
    const full: Effect = { ...effect, seq: this.nextEffectSeq++ };
    const before = { units: row.units, calculatedAt: row.calculatedAt, fresh: row.effects.length === 0 };
    // Find the row in the sorted index while its key is still the old one.
    const at = row.listed && !before.fresh ? this.lowerBound(row.calculatedAt, row.rowSeq) : -1;
    const last = row.effects[row.effects.length - 1];
    if (last === undefined || full.occurredAt >= last.occurredAt) {
      // The usual case: the newest event by occurred_at, so it applies on top of the current count.
      row.effects.push(full);
      row.units = full.kind === 'count' ? full.units : row.units + full.units;
      row.calculatedAt = full.kind === 'count' || before.fresh ? full.createdAt : Math.max(row.calculatedAt, full.createdAt);
    } else {
      // Out of order: insert by occurred_at and recompute from the last physical count.
      let lo = 0;
      let hi = row.effects.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (row.effects[mid]!.occurredAt <= full.occurredAt) lo = mid + 1;
        else hi = mid;
      }
      row.effects.splice(lo, 0, full);
      recompute(row);
    }
    const changed = before.fresh || row.units !== before.units || row.calculatedAt !== before.calculatedAt;
    if (row.listed && (before.fresh || row.calculatedAt !== before.calculatedAt)) this.reposition(row, at);
    return { row, changed };
  }

  /** One page of listed rows in Square's order. */
  page(query: CountsQuery): CountsPage {
    const matches = (row: CountRow): boolean =>
      (query.locationIds === null || query.locationIds.has(row.locationId)) &&
      (query.states === null || query.states.has(row.state)) &&
      (query.variationIds === null || query.variationIds.has(row.variationId));
    const picked: CountRow[] = [];
    let more = false;
    const take = (row: CountRow): boolean => {
      if (picked.length === query.limit) {
        more = true;
        return false;
      }
      picked.push(row);
      return true;
    };
    if (query.variationIds !== null) {
      // A few named variations: gather their rows and sort just those.
      const candidates: CountRow[] = [];
      for (const id of query.variationIds) for (const row of this.rowsOf(id)) if (row.listed && matches(row)) candidates.push(row);
      candidates.sort((a, b) => (sortsBefore(a, b.calculatedAt, b.rowSeq) ? -1 : 1));
      for (const row of candidates) {
        if (query.after && !isAfter(row, query.after)) continue;
        if (query.updatedAfter !== null && row.calculatedAt <= query.updatedAfter) break;
        if (!take(row)) break;
      }
    } else {
      const start = query.after ? this.lowerBound(query.after.t, query.after.s + 0.5) : 0;
      for (let i = start; i < this.order.length; i++) {
        const row = this.order[i]!;
        // Sorted newest first: once at or below updated_after, nothing further can match.
        if (query.updatedAfter !== null && row.calculatedAt <= query.updatedAfter) break;
        if (matches(row) && !take(row)) break;
      }
    }
    const last = picked[picked.length - 1];
    return { rows: picked, next: more && last ? { t: last.calculatedAt, s: last.rowSeq } : null };
  }

  private rowFor(variationId: string, locationId: string, state: string): CountRow {
    const key = keyOf(variationId, locationId, state);
    let row = this.rows.get(key);
    if (!row) {
      row = { variationId, locationId, state, effects: [], units: 0, calculatedAt: 0, rowSeq: this.nextRowSeq++, listed: !UNTRACKED_STATES.has(state) };
      this.rows.set(key, row);
      const list = this.byVariation.get(variationId);
      if (list) list.push(row);
      else this.byVariation.set(variationId, [row]);
    }
    return row;
  }

  /** Moves a row to its new place; `at` is its old index, or -1 when it was not indexed yet. */
  private reposition(row: CountRow, at: number): void {
    if (at >= 0) {
      if (this.order[at] !== row) throw new Error('inventory order index out of step');
      this.order.splice(at, 1);
    }
    this.order.splice(this.lowerBound(row.calculatedAt, row.rowSeq), 0, row);
  }

  /** First index whose row does not sort before (t, s). */
  private lowerBound(t: number, s: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortsBefore(this.order[mid]!, t, s)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const isAfter = (row: CountRow, position: { t: number; s: number }): boolean =>
  row.calculatedAt < position.t || (row.calculatedAt === position.t && row.rowSeq > position.s);

function recompute(row: CountRow): void {
  let start = 0;
  for (let i = row.effects.length - 1; i >= 0; i--) {
    if (row.effects[i]!.kind === 'count') {
      start = i;
      break;
    }
  }
  let units = 0;
  let calculatedAt = 0;
  for (let i = start; i < row.effects.length; i++) {
    const effect = row.effects[i]!;
    units = effect.kind === 'count' ? effect.units : units + effect.units;
    calculatedAt = Math.max(calculatedAt, effect.createdAt);
  }
  row.units = units;
  row.calculatedAt = calculatedAt;
}
