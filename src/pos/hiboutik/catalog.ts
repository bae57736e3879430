import type { CatalogItem, CatalogPage, ReadOptions } from '../contract.ts';
import { PosNotFoundError } from '../errors.ts';
import { rankByCloseness } from '../matching.ts';
import type { HiboutikClient } from './client.ts';
import { formatItemId, isItemId, parseItemId, readId } from './ids.ts';

/** A product as `/products/` and the searches answer it (only the fields we read). */
export interface ProductRow {
  product_id?: unknown;
  product_model?: unknown;
  product_barcode?: unknown;
  product_price?: unknown;
  product_size?: unknown;
  product_size_details?: unknown;
}

/** Up to this many products are looked up one by one; more, and the paged list is cheaper. */
export const PER_PRODUCT_LOOKUPS = 2;
/** The typo fallback reads at most this many product pages (1,000 products) before giving up. */
const FALLBACK_PAGES = 4;

/** One catalog item per sellable unit: the product itself, or each of its sizes. */
export function itemsOf(row: ProductRow): CatalogItem[] {
  const productId = readId(row.product_id);
  if (productId === null || productId === 0) return [];
  const name = typeof row.product_model === 'string' ? row.product_model : String(row.product_model ?? '');
  const priceCents = priceToCents(row.product_price);
  const sizes = Array.isArray(row.product_size_details) ? (row.product_size_details as Array<Record<string, unknown>>) : [];
  const base = (posItemId: string, itemName: string, sku: unknown): CatalogItem => ({
    posItemId,
    name: itemName,
    // Hiboutik's one product key is its barcode, which shops also use as their SKU.
    ...(typeof sku === 'string' && sku !== '' ? { sku, barcode: sku } : {}),
    ...(priceCents !== undefined ? { priceCents } : {}),
  });
  if (sizes.length === 0) return [base(formatItemId(productId, 0), name, row.product_barcode)];
  return sizes.flatMap((size) => {
    const sizeId = readId(size.size_id);
    if (sizeId === null || sizeId === 0) return [];
    const sizeName = typeof size.size_name === 'string' && size.size_name !== '' ? ` (${size.size_name})` : '';
    return [base(formatItemId(productId, sizeId), `${name}${sizeName}`, size.barcode)];
  });
}

function priceToCents(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(',', '.')) : Number.NaN;
  return Number.isFinite(number) ? Math.round(number * 100) : undefined;
}

export class HiboutikCatalog {
  constructor(private readonly client: HiboutikClient) {}

  /** Every product, a page (250) at a time. */
  productPages(maxPages = Number.POSITIVE_INFINITY): AsyncGenerator<ProductRow[], void, undefined> {
    const pages = this.client.pages<ProductRow>('products/', { purpose: 'read', untilEmpty: true, label: 'GET /products/' });
    return maxPages === Number.POSITIVE_INFINITY ? pages : limit(pages, maxPages);
  }

  /** Every sellable unit (a product, or each of its sizes), a product page at a time. */
  async *readAll(options: ReadOptions = {}): AsyncGenerator<CatalogPage, void, undefined> {
    for await (const page of this.productPages()) {
      options.signal?.throwIfAborted();
      yield { items: page.flatMap(itemsOf) };
    }
  }

  /** One product by id; null when Hiboutik does not know it. */
  async product(productId: number): Promise<ProductRow | null> {
    try {
      const { body } = await this.client.get<unknown>(`products/${productId}`, { purpose: 'read', label: 'GET /products/{id}' });
      const row = Array.isArray(body) ? (body[0] as ProductRow | undefined) : (body as ProductRow | undefined);
      return row && readId(row.product_id) === productId ? row : null;
    } catch (error) {
      if (error instanceof PosNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Catalog items for these ids. A couple of products: one call each. More: the paged list,
   * stopping as soon as every asked product was seen.
   */
  async getItems(posItemIds: readonly string[]): Promise<CatalogItem[]> {
    const wanted = new Set(posItemIds.filter(isItemId));
    const productIds = new Set([...wanted].map((id) => parseItemId(id)!.productId));
    if (productIds.size === 0) return [];
    const found: CatalogItem[] = [];
    const take = (row: ProductRow) => found.push(...itemsOf(row).filter((item) => wanted.has(item.posItemId)));
    if (productIds.size <= PER_PRODUCT_LOOKUPS) {
      for (const id of productIds) {
        const row = await this.product(id);
        if (row) take(row);
      }
      return found;
    }
    const missing = new Set(productIds);
    for await (const page of this.productPages()) {
      for (const row of page) {
        const id = readId(row.product_id);
        if (id !== null && missing.delete(id)) take(row);
      }
      if (missing.size === 0) break;
    }
    return found;
  }

  /**
   * Candidates for a name or a barcode (SKU). Hiboutik's name search is a substring search, so a
   * typo finds nothing; then the two halves of the text are searched (a single typo leaves one
   * half intact), and only if those find nothing either, the first pages of the product list.
   */
  async searchItems(text: string): Promise<CatalogItem[]> {
    const wanted = text.trim();
    if (wanted === '') return [];
    const byName = await this.searchName(wanted);
    const byBarcode = await this.searchBarcode(wanted);
    let candidates = unique([...byBarcode, ...byName]);
    if (candidates.some((c) => same(c.name, wanted) || same(c.sku, wanted))) return candidates;
    const halves = halvesOf(wanted);
    for (const half of halves) candidates = unique([...candidates, ...(await this.searchName(half))]);
    if (candidates.length === 0) {
      for await (const page of this.productPages(FALLBACK_PAGES)) candidates.push(...page.flatMap(itemsOf));
    }
    return rankByCloseness(wanted, unique(candidates), (c) => c.name);
  }

  private async searchName(text: string): Promise<CatalogItem[]> {
    const { body } = await this.client.get<unknown>(`products/search/name/${encodeURIComponent(text)}`, { purpose: 'read', label: 'GET /products/search/name/{q}' });
    return Array.isArray(body) ? (body as ProductRow[]).flatMap(itemsOf) : [];
  }

  /** Barcode hits name the size that carries the barcode (`product_size`). */
  private async searchBarcode(text: string): Promise<CatalogItem[]> {
    // Barcodes carry no spaces or slashes: a name like "Blue Mug 00042" costs no barcode call.
    if (/[\s/]/.test(text)) return [];
    const { body } = await this.client.get<unknown>(`products/search/barcode/${encodeURIComponent(text)}/`, { purpose: 'read', label: 'GET /products/search/barcode/{b}/' });
    if (!Array.isArray(body)) return [];
    return (body as ProductRow[]).flatMap((row) => {
      const size = readId(row.product_size) ?? 0;
      return itemsOf(row).filter((item) => item.posItemId === formatItemId(readId(row.product_id) ?? 0, size));
    });
  }
}

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().replace(/\s+/g, ' ').toLowerCase() === b.replace(/\s+/g, ' ').toLowerCase();
}

/** Two halves of at least 3 characters each, or none for short texts. */
function halvesOf(text: string): string[] {
  if (text.length < 6) return [];
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle).trim(), text.slice(middle).trim()].filter((half) => half.length >= 3);
}

function unique(items: CatalogItem[]): CatalogItem[] {
  const seen = new Map<string, CatalogItem>();
  for (const item of items) if (!seen.has(item.posItemId)) seen.set(item.posItemId, item);
  return [...seen.values()];
}

async function* limit<T>(source: AsyncGenerator<T, void, undefined>, count: number): AsyncGenerator<T, void, undefined> {
  let taken = 0;
  for await (const value of source) {
    yield value;
    if (++taken >= count) return;
  }
}
