import type { CatalogItem, CatalogPage, StockCount } from '../contract.ts';
import type { LightspeedClient } from './client.ts';
import { asList, cents, relationRows, requiredText, text, type LsRecord } from './normalise.ts';
import { chunks, COST_LIST, inList, isLightspeedId, PAGE, shopCounts } from './stock.ts';

/** A list page with the to-many ItemShops relation costs 1 + 2 × 0.2 drips (§2.8). */
export const COST_LIST_WITH_SHOPS = 1.4;

/**
 * Catalog lookups. A name search is a `~` (LIKE) on description, OR-ed with exact matches on the
 * SKU fields, so one call serves findItem by name and by SKU. A LIKE cannot find a typo, so when
 * nothing matches exactly a second call asks for the text's first half as a prefix or its second
 * half as a suffix: a single typo leaves one half intact, and findItem ranks what comes back.
 */
const SKU_FIELDS = ['customSku', 'systemSku', 'upc', 'ean', 'manufacturerSku'] as const;

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** `sku` is the SKU field the search text matched, else customSku, else the POS barcode. */
export function toCatalogItem(record: LsRecord, searched?: string): CatalogItem {
  const posItemId = requiredText(record, 'itemID', 'Item');
  const matched = searched === undefined ? undefined : SKU_FIELDS.map((f) => text(record, f)).find((v) => v !== '' && same(v, searched));
  const sku = matched ?? (text(record, 'customSku') || text(record, 'systemSku'));
  const item: CatalogItem = { posItemId, name: text(record, 'description') };
  if (sku) item.sku = sku;
  const barcode = text(record, 'upc') || text(record, 'ean');
  if (barcode) item.barcode = barcode;
  const prices = relationRows(record, 'Prices', 'ItemPrice', `Item ${posItemId}`);
  const price = prices.find((p) => text(p, 'useType') === 'Default') ?? prices[0];
  const priceCents = price ? cents(text(price, 'amount')) : undefined;
  if (priceCents !== undefined) item.priceCents = priceCents;
  return item;
}

/** A LIKE pattern: `|` would split the `or=` list, so it becomes a wildcard too. */
const like = (pattern: string) => `~,${pattern.replace(/\|/g, '%')}`;

export class CatalogReader {
  constructor(
    private readonly client: LightspeedClient,
    private readonly shopId: string,
  ) {}

  /**
   * Every item with its ItemShops, 100 a page: the counts ride along for 0.4 drips a page, where a
   * separate counts read would cost a whole drip per 100 items. An item with no row for the shop
   * was never counted there (`onHand: null`).
   */
  async *readAll(): AsyncGenerator<CatalogPage, void, undefined> {
    const params = { load_relations: '["ItemShops"]', limit: String(PAGE) };
    for await (const records of this.client.pages('Item.json', params, 'Item', COST_LIST_WITH_SHOPS)) {
      const items = records.map((r) => toCatalogItem(r));
      const counts: StockCount[] = records.map((record, i) => {
        const posItemId = items[i]!.posItemId;
        const [count] = shopCounts(relationRows(record, 'ItemShops', 'ItemShop', `Item ${posItemId}`), this.shopId);
        return count ?? { posItemId, onHand: null };
      });
      yield { items, counts };
    }
  }

  async getItems(ids: readonly string[]): Promise<CatalogItem[]> {
    const wanted = [...new Set(ids)].filter(isLightspeedId);
    const out: CatalogItem[] = [];
    for (const chunk of chunks(wanted, PAGE)) {
      const { records } = await this.client.firstPage('Item.json', { itemID: inList(chunk), limit: String(PAGE) }, 'Item', COST_LIST);
      out.push(...records.map((r) => toCatalogItem(r)));
    }
    return out;
  }

  async searchItems(raw: string): Promise<CatalogItem[]> {
    const wanted = raw.trim();
    if (wanted === '') return [];
    const clauses = [`description=${like(`%${wanted}%`)}`];
    // An exact value holding `|` or `,` cannot be written in an or= clause; the LIKE still covers names.
    if (!/[|,]/.test(wanted)) clauses.push(...SKU_FIELDS.map((f) => `${f}=${wanted}`));
    const first = await this.search(clauses, wanted);
    const exact = first.some((item) => same(item.name, wanted) || (item.sku !== undefined && same(item.sku, wanted)));
    if (exact || wanted.length < 2) return first;
    const half = Math.ceil(wanted.length / 2);
    const head = wanted.slice(0, half);
    const tail = wanted.slice(half);
    const near = await this.search([`description=${like(`${head}%`)}`, `description=${like(`%${tail}`)}`, `customSku=${like(`${head}%`)}`], wanted);
    const seen = new Set(first.map((i) => i.posItemId));
    return [...first, ...near.filter((i) => !seen.has(i.posItemId))];
  }

  /** One page (≤ 100 candidates) of items matching any clause. */
  private async search(clauses: string[], wanted: string): Promise<CatalogItem[]> {
    const { records } = await this.client.firstPage('Item.json', { or: clauses.join('|'), limit: String(PAGE) }, 'Item', COST_LIST);
    return asList(records, 'Item').map((r) => toCatalogItem(r, wanted));
  }
}
