import type { CatalogItem, CatalogPage, StockCount } from '../../pos/contract.ts';
import { editDistance } from '../../pos/matching.ts';
import type { BulkKey, KeyField } from './rows.ts';

/**
 * One account's catalog, read once, indexed by every key a row may give. A key matches only
 * when it is non-blank and exactly one catalog item has it (never guess); names and SKUs compare
 * trimmed, space-collapsed and case-insensitive, barcodes and POS ids exactly (trimmed).
 */
export type Resolution =
  | { kind: 'found'; item: CatalogItem }
  | { kind: 'not_found'; close: CatalogItem[] }
  | { kind: 'ambiguous'; candidates: CatalogItem[] };

const CLOSE_MATCHES = 3;

const normalise = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

const KEY_OF: Record<Exclude<KeyField, 'item_pos_id'>, (item: CatalogItem) => string | undefined> = {
  sku: (item) => item.sku,
  barcode: (item) => item.barcode,
  item_name: (item) => item.name,
};

export class CatalogIndex {
  private readonly byId = new Map<string, CatalogItem>();
  private readonly byKey: Record<Exclude<KeyField, 'item_pos_id'>, Map<string, CatalogItem[]>> = {
    sku: new Map(),
    barcode: new Map(),
    item_name: new Map(),
  };
  /** Counts that came with the catalog pages, when the POS sends them there. */
  readonly counts = new Map<string, StockCount>();

  add(page: CatalogPage): void {
    for (const item of page.items) {
      if (this.byId.has(item.posItemId)) continue;
      this.byId.set(item.posItemId, item);
      for (const field of Object.keys(this.byKey) as Array<keyof CatalogIndex['byKey']>) {
        const raw = KEY_OF[field](item);
        if (raw === undefined) continue;
        const key = field === 'barcode' ? raw.trim() : normalise(raw);
        // A blank key is no key: it can never match.
        if (key === '') continue;
        const list = this.byKey[field].get(key);
        if (list) list.push(item);
        else this.byKey[field].set(key, [item]);
      }
    }
    for (const count of page.counts ?? []) this.counts.set(count.posItemId, count);
  }

  get size(): number {
    return this.byId.size;
  }

  resolve(key: BulkKey): Resolution {
    if (key.by === 'item_pos_id') {
      const item = this.byId.get(key.value.trim());
      return item ? { kind: 'found', item } : { kind: 'not_found', close: this.closest(key) };
    }
    const wanted = key.by === 'barcode' ? key.value.trim() : normalise(key.value);
    const hits = wanted === '' ? [] : (this.byKey[key.by].get(wanted) ?? []);
    if (hits.length === 1) return { kind: 'found', item: hits[0]! };
    if (hits.length > 1) return { kind: 'ambiguous', candidates: hits.slice(0, 10) };
    return { kind: 'not_found', close: this.closest(key) };
  }

  /**
   * The catalog items whose key of the same kind is nearest the wanted one (edit distance), among
   * those of similar length, so a typo shows what was meant without comparing every pair in full.
   */
  private closest(key: BulkKey): CatalogItem[] {
    const wanted = normalise(key.value);
    if (wanted === '') return [];
    const keyOf = key.by === 'item_pos_id' ? (item: CatalogItem) => item.posItemId : KEY_OF[key.by];
    const slack = Math.max(2, Math.floor(wanted.length / 3));
    const ranked: Array<{ item: CatalogItem; distance: number }> = [];
    for (const item of this.byId.values()) {
      const candidate = normalise(keyOf(item) ?? '');
      if (candidate === '' || Math.abs(candidate.length - wanted.length) > slack) continue;
      const distance = editDistance(wanted, candidate);
      if (distance <= slack) ranked.push({ item, distance });
    }
    return ranked
      .sort((a, b) => a.distance - b.distance)
      .slice(0, CLOSE_MATCHES)
      .map((r) => r.item);
  }
}
