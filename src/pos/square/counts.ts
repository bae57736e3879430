import type { StockCount } from '../contract.ts';
import { toWholeUnits } from '../quantities.ts';
import { PosBadResponseError } from '../errors.ts';
import type { SquareApi } from './api.ts';
import type { SquareCaller } from './calls.ts';
import type { KnownVariations } from './catalog.ts';
import { parseCountsPage, type CountRow } from './shapes.ts';

/**
 * Counts through BatchRetrieveInventoryCounts: IN_STOCK rows of the account's locations, 1000 a
 * page, summed per variation over the locations.
 *
 * Streaming: rows of one variation at several locations may sit on different pages (Square sorts
 * by calculated_at, newest first), so a variation is yielded as soon as a row for every location
 * has been seen; the rest (a location that never counted it) after the last page. With one
 * location every row completes its variation, so each SDK page becomes one yielded page.
 *
 * Never counted: an id the caller asked for with no row anywhere is reported `onHand: null` only
 * if the catalog knows it (an unknown id is left out, as the contract says). Existence comes from
 * what the adapter already learnt (lookups, earlier reads) or else from one catalog batch-get of
 * just those ids, 1000 at a time: usually no extra call at all, since a counted id needs no check.
 */
export const IDS_PER_COUNTS_REQUEST = 1000;

interface Tally {
  /** Quantity in 1/100000 units (Square's 5 decimals), so sums are exact. */
  micro: number;
  locations: Set<string>;
  countedAt?: string;
}

const SCALE = 100_000;

export class CountsReader {
  constructor(
    private readonly api: SquareApi,
    private readonly caller: SquareCaller,
    private readonly locationIds: readonly string[],
    private readonly known: KnownVariations,
  ) {}

  async *read(posItemIds?: readonly string[], signal?: AbortSignal): AsyncGenerator<StockCount[], void, undefined> {
    if (posItemIds === undefined) {
      yield* this.pages(undefined, new Set(), signal);
      return;
    }
    const wanted = [...new Set(posItemIds)];
    const seen = new Set<string>();
    for (let i = 0; i < wanted.length; i += IDS_PER_COUNTS_REQUEST) {
      yield* this.pages(wanted.slice(i, i + IDS_PER_COUNTS_REQUEST), seen, signal);
    }
    const uncounted = wanted.filter((id) => !seen.has(id));
    if (uncounted.length === 0) return;
    const existing = await this.known.filterExisting(uncounted, signal);
    if (existing.length > 0) yield existing.map((posItemId) => ({ posItemId, onHand: null }));
  }

  /** Follows one query's cursor; adds every variation it saw to `seen`. */
  private async *pages(ids: string[] | undefined, seen: Set<string>, signal?: AbortSignal): AsyncGenerator<StockCount[], void, undefined> {
    const locations = new Set(this.locationIds);
    const open = new Map<string, Tally>();
    const done = new Set<string>();
    let cursor: string | undefined;
    do {
      const query = { locationIds: [...this.locationIds], ...(ids ? { catalogObjectIds: ids } : {}), ...(cursor ? { cursor } : {}) };
      const page = await this.caller.run(
        { label: 'counts batch-retrieve', scope: 'INVENTORY_READ' },
        async () => parseCountsPage(await this.api.batchGetCounts(query, signal), 'counts batch-retrieve'),
        signal,
      );
      const ready: StockCount[] = [];
      for (const row of page.rows) {
        if (row.state !== 'IN_STOCK' || !locations.has(row.locationId) || done.has(row.variationId)) continue;
        const entry = add(open, row);
        if (entry.locations.size === locations.size) {
          open.delete(row.variationId);
          done.add(row.variationId);
          ready.push(finish(row.variationId, entry));
        }
      }
      // Validated before anything is yielded: a bad page throws and yields nothing.
      for (const count of ready) seen.add(count.posItemId);
      if (ready.length > 0) yield ready;
      if (page.cursor !== undefined && page.cursor === cursor) throw new PosBadResponseError('square counts batch-retrieve: the cursor did not advance');
      cursor = page.cursor;
    } while (cursor);
    if (open.size > 0) {
      const rest = [...open].map(([id, entry]) => finish(id, entry));
      for (const count of rest) seen.add(count.posItemId);
      yield rest;
    }
  }
}

function add(open: Map<string, Tally>, row: CountRow): Tally {
  let entry = open.get(row.variationId);
  if (!entry) {
    // Rows come newest first, so the first row's time is the count's newest calculation.
    entry = { micro: 0, locations: new Set(), ...(row.calculatedAt ? { countedAt: row.calculatedAt } : {}) };
    open.set(row.variationId, entry);
  }
  // A row seen twice (the list shifted under a cursor) is counted once.
  if (!entry.locations.has(row.locationId)) {
    entry.locations.add(row.locationId);
    entry.micro += Math.round(Number(row.quantity) * SCALE);
  }
  return entry;
}

/** Sums stay exact in 1/100000 units; the whole-unit rule (round down) applies to the total. */
function finish(posItemId: string, entry: Tally): StockCount {
  const onHand = toWholeUnits((entry.micro / SCALE).toFixed(5), `square count of ${posItemId}`);
  return { posItemId, onHand, ...(entry.countedAt ? { countedAt: entry.countedAt } : {}) };
}
