import type { SeedFile } from '../kit/seed.ts';
import { itemIdFor } from './ids.ts';
import { invalidRequest } from './errors.ts';

/**
 * The read-only catalog: one ITEM per seed item, owning one ITEM_VARIATION whose id is the seed
 * item id. Objects are built once; every endpoint hands out the same JSON.
 */
export type CatalogObject = Record<string, unknown> & { type: string; id: string };

export interface VariationRecord {
  variationId: string;
  itemId: string;
  name: string;
  variationName: string;
  sku: string | undefined;
  priceCents: number;
  item: CatalogObject;
  variation: CatalogObject;
}

/** Every CatalogObjectType the spec knows; a value outside it is a 400. */
export const CATALOG_TYPES: ReadonlySet<string> = new Set([
  'ITEM', 'IMAGE', 'CATEGORY', 'ITEM_VARIATION', 'TAX', 'DISCOUNT', 'MODIFIER_LIST', 'MODIFIER', 'PRICING_RULE', 'PRODUCT_SET',
  'TIME_PERIOD', 'MEASUREMENT_UNIT', 'SUBSCRIPTION_PLAN_VARIATION', 'ITEM_OPTION', 'ITEM_OPTION_VAL', 'CUSTOM_ATTRIBUTE_DEFINITION',
  'QUICK_AMOUNTS_SETTINGS', 'SUBSCRIPTION_PLAN', 'AVAILABILITY_PERIOD',
]);

/** Nested types (ITEM_VARIATION) are left out when a caller names no types, as Square does. */
const DEFAULT_TYPES: ReadonlySet<string> = new Set([...CATALOG_TYPES].filter((t) => t !== 'ITEM_VARIATION' && t !== 'MODIFIER' && t !== 'ITEM_OPTION_VAL'));

export class Catalog {
  readonly records: VariationRecord[] = [];
  private byVariation = new Map<string, VariationRecord>();
  private byItem = new Map<string, VariationRecord>();
  private listCache = new Map<string, CatalogObject[]>();
  readonly updatedAt: string;

  constructor(seed: SeedFile, options: { currency: string; updatedAt: number }) {
    this.updatedAt = new Date(options.updatedAt).toISOString();
    const version = options.updatedAt;
    for (const entry of seed.items) {
      const itemId = itemIdFor(entry.id);
      const variationName = entry.variationName ?? 'Regular';
      const common = { updated_at: this.updatedAt, version, is_deleted: false, present_at_all_locations: true };
      const variation: CatalogObject = {
        type: 'ITEM_VARIATION',
        id: entry.id,
        ...common,
        item_variation_data: {
          item_id: itemId,
          name: variationName,
          ...(entry.sku === undefined ? {} : { sku: entry.sku }),
          ordinal: 0,
          pricing_type: 'FIXED_PRICING',
          price_money: { amount: entry.priceCents, currency: options.currency },
          track_inventory: true,
          sellable: true,
          stockable: true,
        },
      };
      const item: CatalogObject = {
        type: 'ITEM',
        id: itemId,
        ...common,
        item_data: { name: entry.name, is_taxable: true, product_type: 'REGULAR', variations: [variation] },
      };
      const record: VariationRecord = { variationId: entry.id, itemId, name: entry.name, variationName, sku: entry.sku, priceCents: entry.priceCents, item, variation };
      this.records.push(record);
      this.byVariation.set(entry.id, record);
      this.byItem.set(itemId, record);
    }
  }

  variation(id: string): VariationRecord | undefined {
    return this.byVariation.get(id);
  }

  object(id: string): CatalogObject | undefined {
    return this.byVariation.get(id)?.variation ?? this.byItem.get(id)?.item;
  }

  /** The parent ITEM of a variation (Square's `related_objects`). */
  relatedOf(objects: CatalogObject[]): CatalogObject[] {
    const seen = new Set(objects.map((o) => o.id));
    const related: CatalogObject[] = [];
    for (const object of objects) {
      if (object.type !== 'ITEM_VARIATION') continue;
      const item = this.byVariation.get(object.id)?.item;
      if (item && !seen.has(item.id)) {
        seen.add(item.id);
        related.push(item);
      }
    }
    return related;
  }

  /** Objects of the given types in catalog order (cached: the catalog never changes). */
  objectsOfTypes(types: ReadonlySet<string> | null): CatalogObject[] {
    const wanted = types ?? DEFAULT_TYPES;
    const key = [...wanted].sort().join(',');
    let list = this.listCache.get(key);
    if (!list) {
      list = [];
      if (wanted.has('ITEM')) for (const r of this.records) list.push(r.item);
      if (wanted.has('ITEM_VARIATION')) for (const r of this.records) list.push(r.variation);
      this.listCache.set(key, list);
    }
    return list;
  }
}

/** Reads a list of catalog types (case-insensitive), refusing names the spec does not have. */
export function parseCatalogTypes(values: readonly unknown[], field: string): Set<string> {
  const types = new Set<string>();
  values.forEach((value, i) => {
    const name = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!CATALOG_TYPES.has(name)) throw invalidRequest('INVALID_ENUM_VALUE', `Unknown catalog object type ${JSON.stringify(value)}.`, `${field}[${i}]`);
    types.add(name);
  });
  return types;
}

/** Lower-case words of a free-text filter. */
export const tokens = (text: string): string[] => text.toLowerCase().split(/\s+/).filter((t) => t !== '');

/** SearchCatalogItems text_filter: every word must occur in the item name, variation name or SKU. */
export function matchesText(record: VariationRecord, words: readonly string[]): boolean {
  const fields = [record.name, record.variationName, record.sku ?? ''].map((f) => f.toLowerCase());
  return words.every((w) => fields.some((f) => f.includes(w)));
}

/** Searchable attribute values of an object for SearchCatalogObjects queries. */
export function attributeOf(record: VariationRecord, object: CatalogObject, attribute: string): string | undefined {
  if (attribute === 'name') return object.type === 'ITEM' ? record.name : record.variationName;
  if (attribute === 'sku' && object.type === 'ITEM_VARIATION') return record.sku;
  return undefined;
}

export function recordOf(catalog: Catalog, object: CatalogObject): VariationRecord {
  const record = object.type === 'ITEM_VARIATION' ? catalog.variation(object.id) : catalog.variation(((object.item_data as { variations: CatalogObject[] }).variations[0] as CatalogObject).id);
  if (!record) throw new Error(`catalog object ${object.id} has no record`);
  return record;
}
