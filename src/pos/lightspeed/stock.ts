import type { StockCount } from '../contract.ts';
import { toWholeUnits } from '../quantities.ts';
import type { LightspeedClient } from './client.ts';
import { isoTime, requiredText, text, type LsRecord } from './normalise.ts';

/**
 * Stock reads. Counts come from `ItemShop.json` filtered by the configured shopID (cost 1 per
 * page of 100): rows are picked by shopID, never by position, and the shopID 0 all-shops row is
 * never read as a shop's count.
 *
 * Known-but-never-counted items (no ItemShop row for the shop) are told apart from unknown ids
 * only when ids are given: the ids a page did not return are looked up in `Item.json` in batches
 * of 100 (cost 1), so with the usual few uncounted items a read of N ids costs ⌈N/100⌉ + a couple
 * of calls instead of the 1.4-drip `Item.json?load_relations=["ItemShops"]` pages (see README).
 */
export const PAGE = 100;
export const COST_LIST = 1;

export const isLightspeedId = (id: string): boolean => /^[1-9][0-9]{0,18}$/.test(id);

export const inList = (ids: readonly string[]): string => `IN,[${ids.join(',')}]`;

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export function toCount(row: LsRecord): StockCount {
  const posItemId = requiredText(row, 'itemID', 'ItemShop');
  const count: StockCount = { posItemId, onHand: toWholeUnits(text(row, 'qoh'), `Lightspeed ItemShop ${text(row, 'itemShopID')} qoh`) };
  const countedAt = isoTime(text(row, 'timeStamp'));
  if (countedAt) count.countedAt = countedAt;
  return count;
}

/** Rows of the configured shop only, whatever else an answer holds. */
export function shopCounts(rows: LsRecord[], shopId: string): StockCount[] {
  return rows.filter((row) => text(row, 'shopID') === shopId).map(toCount);
}

export class StockReader {
  constructor(
    private readonly client: LightspeedClient,
    private readonly shopId: string,
  ) {}

  /** Every counted item of the shop. Items the shop never counted are absent here (see README). */
  async *readAll(): AsyncGenerator<StockCount[], void, undefined> {
    const seen = new Set<string>();
    for await (const rows of this.client.pages('ItemShop.json', { shopID: this.shopId, limit: String(PAGE) }, 'ItemShop', COST_LIST)) {
      // Ties on the sort key can repeat a row across pages; report each item once.
      const page = shopCounts(rows, this.shopId).filter((c) => !seen.has(c.posItemId) && seen.add(c.posItemId));
      if (page.length > 0) yield page;
    }
  }

  /** Counts for these ids; a known id the shop never counted comes back with onHand null. */
  async *readIds(ids: readonly string[]): AsyncGenerator<StockCount[], void, undefined> {
    // Lightspeed ids are numbers: anything else cannot exist and would make the IN filter a 400.
    const wanted = [...new Set(ids)].filter(isLightspeedId);
    let missing: string[] = [];
    for (const chunk of chunks(wanted, PAGE)) {
      const counts = await this.countsFor(chunk);
      if (counts.length > 0) yield counts;
      const found = new Set(counts.map((c) => c.posItemId));
      missing.push(...chunk.filter((id) => !found.has(id)));
      if (missing.length >= PAGE) {
        const batch = missing.slice(0, PAGE);
        missing = missing.slice(PAGE);
        const unknown = await this.neverCounted(batch);
        if (unknown.length > 0) yield unknown;
      }
    }
    if (missing.length > 0) {
      const unknown = await this.neverCounted(missing);
      if (unknown.length > 0) yield unknown;
    }
  }

  /**
   * Rows changed at or after `since` (ItemShop.timeStamp moves on every stock change, unlike
   * Item.timeStamp). `>=` re-reads the boundary second, which is harmless for counts.
   */
  async *readChangedSince(since: Date): AsyncGenerator<StockCount[], void, undefined> {
    const stamp = since.toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const params = { shopID: this.shopId, timeStamp: `>=,${stamp}`, sort: 'timeStamp', limit: String(PAGE) };
    for await (const rows of this.client.pages('ItemShop.json', params, 'ItemShop', COST_LIST)) {
      const page = shopCounts(rows, this.shopId);
      if (page.length > 0) yield page;
    }
  }

  private async countsFor(chunk: string[]): Promise<StockCount[]> {
    const counts: StockCount[] = [];
    const params = { shopID: this.shopId, itemID: inList(chunk), limit: String(PAGE) };
    for await (const rows of this.client.pages('ItemShop.json', params, 'ItemShop', COST_LIST)) {
      counts.push(...shopCounts(rows, this.shopId));
      // One row per item and shop: once every id is in, a further page can only be empty.
      if (counts.length >= chunk.length) break;
    }
    return counts;
  }

  /** Which of these ids the catalog knows (one Item.json call of ≤ 100 ids, no relations). */
  private async neverCounted(ids: string[]): Promise<StockCount[]> {
    const { records } = await this.client.firstPage('Item.json', { itemID: inList(ids), limit: String(PAGE) }, 'Item', COST_LIST);
    return records.map((item) => ({ posItemId: requiredText(item, 'itemID', 'Item'), onHand: null }));
  }
}
