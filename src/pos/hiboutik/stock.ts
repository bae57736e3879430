import type { ReadOptions, StockCount } from '../contract.ts';
import { PosBadResponseError } from '../errors.ts';
import { toWholeUnits } from '../quantities.ts';
import { itemsOf, PER_PRODUCT_LOOKUPS, type HiboutikCatalog, type ProductRow } from './catalog.ts';
import type { HiboutikClient } from './client.ts';
import { formatItemId, isItemId, parseItemId, readId } from './ids.ts';

interface StockRow {
  product_id?: unknown;
  product_size?: unknown;
  warehouse_id?: unknown;
  stock_available?: unknown;
}

/** How long "this product exists" is trusted before it is checked again. */
const CATALOG_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Counts from the warehouse-wide stock call: one call for the whole warehouse (the original made
 * one per product and burnt the monthly quota), following `Link: rel="next"` if Hiboutik pages it.
 * One yielded page = one answer, filtered to the asked ids.
 */
export class HiboutikStock {
  /** Item ids known to be in the catalog, and ids Hiboutik does not know, with when that was learnt. */
  private readonly known = new Map<string, number>();
  private readonly absent = new Map<string, number>();
  private allWarehousesReadAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: HiboutikClient,
    private readonly catalog: HiboutikCatalog,
    private readonly warehouseId: string,
    private readonly now: () => number,
  ) {}

  async *readCounts(posItemIds?: readonly string[], options: ReadOptions = {}): AsyncGenerator<StockCount[], void, undefined> {
    const wanted = posItemIds ? normalisedIds(posItemIds) : null;
    if (wanted && wanted.size === 0) return;
    const seen = new Set<string>();
    let pageCount = 0;
    const path = `stock_available/warehouse_id/${encodeURIComponent(this.warehouseId)}`;
    const pages = this.client.pages<StockRow>(path, { purpose: 'read', untilEmpty: false, label: 'GET /stock_available/warehouse_id/{id}' });
    for await (const rows of pages) {
      options.signal?.throwIfAborted();
      pageCount += 1;
      // The whole answer is read before anything is yielded: a bad row fails the page, not half of it.
      const page: StockCount[] = [];
      for (const row of rows) {
        const count = this.countOf(row);
        if (!count || seen.has(count.posItemId) || (wanted && !wanted.has(count.posItemId))) continue;
        seen.add(count.posItemId);
        page.push(count);
      }
      if (page.length > 0) yield page;
    }
    if (!wanted) return;
    const unexplained = [...wanted].filter((id) => !seen.has(id));
    if (unexplained.length === 0) return;
    options.signal?.throwIfAborted();
    const uncounted = await this.uncounted(unexplained, pageCount > 1);
    if (uncounted.length > 0) yield uncounted;
  }

  private countOf(row: StockRow): StockCount | null {
    const productId = readId(row.product_id);
    if (productId === null) throw new PosBadResponseError(`Hiboutik stock row without a readable product_id (${JSON.stringify(row.product_id)})`);
    const warehouse = readId(row.warehouse_id);
    // Defensive: a row of another warehouse never counts here.
    if (warehouse !== null && String(warehouse) !== this.warehouseId) return null;
    const posItemId = formatItemId(productId, readId(row.product_size) ?? 0);
    return { posItemId, onHand: toWholeUnits(row.stock_available, `Hiboutik stock of ${posItemId}`) };
  }

  /**
   * Asked ids with no stock row here: in the catalog but never counted in this warehouse
   * (`onHand: null`), or unknown to Hiboutik (left out). The proof is bought as cheaply as the
   * quota allows, so one read of every mapped item costs at most 3 calls when the stock is unpaged:
   *  - ids learnt about in the last day cost nothing;
   *  - up to two products are looked up (`GET /products/{id}`, 404 = unknown);
   *  - with more, one `GET /stock_available/all_wh/` first, once a day (a row in any warehouse
   *    proves the item; skipped when the stock was paged, as it would be longer still), then one lookup.
   * Ids still unproven have no count anywhere, so they come back `null` for now and are looked up
   * on the next reads, a few per read; the product list (a call per 250 products) is never read.
   */
  private async uncounted(ids: string[], stockWasPaged: boolean): Promise<StockCount[]> {
    let open = this.unresolved(ids);
    let allowance = PER_PRODUCT_LOOKUPS;
    if (open.length > allowance && !stockWasPaged && this.allWarehousesReadAt < this.now() - CATALOG_TTL_MS) {
      this.allWarehousesReadAt = this.now();
      const rows = this.client.pages<StockRow>('stock_available/all_wh/', { purpose: 'read', untilEmpty: false, label: 'GET /stock_available/all_wh/' });
      const counted = new Set<string>();
      for await (const page of rows) {
        for (const row of page) {
          const productId = readId(row.product_id);
          if (productId !== null) counted.add(formatItemId(productId, readId(row.product_size) ?? 0));
        }
      }
      for (const id of ids) if (counted.has(id)) this.known.set(id, this.now());
      open = this.unresolved(ids);
      allowance = 1;
    }
    for (const productId of open.slice(0, allowance)) this.remember(productId, await this.catalog.product(productId), ids);
    const pending = new Set(this.unresolved(ids));
    return ids.filter((id) => this.known.has(id) || pending.has(parseItemId(id)!.productId)).map((posItemId) => ({ posItemId, onHand: null }));
  }

  /** Product ids behind those of `ids` that nothing fresh is known about. */
  private unresolved(ids: string[]): number[] {
    const fresh = this.now() - CATALOG_TTL_MS;
    for (const map of [this.known, this.absent]) for (const [id, at] of map) if (at < fresh) map.delete(id);
    return [...new Set(ids.filter((id) => !this.known.has(id) && !this.absent.has(id)).map((id) => parseItemId(id)!.productId))];
  }

  /** What a product answer (or its absence) says about the asked ids of that product. */
  private remember(productId: number, row: ProductRow | null, asked: string[]): void {
    const items = new Set(row ? itemsOf(row).map((item) => item.posItemId) : []);
    for (const id of items) {
      this.known.set(id, this.now());
      this.absent.delete(id);
    }
    for (const id of asked) {
      if (parseItemId(id)!.productId !== productId || items.has(id)) continue;
      this.known.delete(id);
      this.absent.set(id, this.now());
    }
  }
}

function normalisedIds(ids: readonly string[]): Set<string> {
  return new Set(ids.filter(isItemId));
}
