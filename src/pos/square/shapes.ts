import { PosBadResponseError } from '../errors.ts';

/**
 * Runtime checks of the SDK's answers. SDK v46 parses responses with validation off, so a body of
 * the wrong shape arrives as whatever it was; these turn it into our own small records or fail
 * with PosBadResponseError (DESIGN rule 5: an unreadable answer is never read as "nothing").
 * Field names are the SDK's camelCase.
 */
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function bad(what: string, problem: string): PosBadResponseError {
  return new PosBadResponseError(`square ${what}: ${problem}`);
}

function record(value: unknown, what: string): Json {
  if (!isRecord(value)) throw bad(what, 'answer is not an object');
  return value;
}

/** An optional list: absent means empty (Square omits empty lists); anything else is refused. */
function list(body: Json, key: string, what: string): unknown[] {
  const value = body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(what, `"${key}" is not a list`);
  return value;
}

function optionalString(value: unknown, what: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bad(what, `${field} is not a string`);
  return value;
}

/** Square answers 200 with an `errors` list in rare partial failures: never read that as data. */
function refuseErrors(body: Json, what: string): void {
  const errors = body.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const code = isRecord(errors[0]) && typeof errors[0].code === 'string' ? errors[0].code : 'UNKNOWN';
    throw bad(what, `answer carries errors (${code})`);
  }
}

export interface CountRow {
  variationId: string;
  locationId: string;
  state: string;
  /** Square's decimal string, checked to be a number. */
  quantity: string;
  calculatedAt?: string;
}

export function parseCountsPage(value: unknown, what: string): { rows: CountRow[]; cursor?: string } {
  const body = record(value, what);
  refuseErrors(body, what);
  const rows = list(body, 'counts', what).map((raw, i) => {
    const row = record(raw, what);
    const variationId = row.catalogObjectId;
    const locationId = row.locationId;
    const state = row.state;
    const quantity = row.quantity;
    if (typeof variationId !== 'string' || variationId === '') throw bad(what, `counts[${i}] has no catalog_object_id`);
    if (typeof locationId !== 'string' || typeof state !== 'string') throw bad(what, `counts[${i}] has no location_id or state`);
    if (typeof quantity !== 'string' || quantity.trim() === '' || !Number.isFinite(Number(quantity))) {
      throw bad(what, `counts[${i}] quantity ${JSON.stringify(quantity)} is not a decimal string`);
    }
    const calculatedAt = optionalString(row.calculatedAt, what, `counts[${i}].calculated_at`);
    return { variationId, locationId, state, quantity, ...(calculatedAt ? { calculatedAt } : {}) };
  });
  const cursor = optionalString(body.cursor, what, 'cursor');
  return { rows, ...(cursor ? { cursor } : {}) };
}

export interface VariationRecord {
  id: string;
  itemId?: string;
  name?: string;
  sku?: string;
  upc?: string;
  priceCents?: number;
  deleted: boolean;
}

export interface ItemRecord {
  id: string;
  name: string;
  variations: VariationRecord[];
  deleted: boolean;
}

export type CatalogRecord = { type: 'ITEM_VARIATION'; variation: VariationRecord } | { type: 'ITEM'; item: ItemRecord } | { type: 'OTHER'; id: string };

function toCents(money: unknown): number | undefined {
  if (!isRecord(money)) return undefined;
  const amount = money.amount;
  if (typeof amount === 'bigint') return Number(amount);
  if (typeof amount === 'number' && Number.isFinite(amount)) return amount;
  return undefined;
}

function variationOf(object: Json, what: string): VariationRecord {
  const data = isRecord(object.itemVariationData) ? object.itemVariationData : {};
  const priceCents = toCents(data.priceMoney);
  const itemId = optionalString(data.itemId, what, 'item_id');
  const name = optionalString(data.name, what, 'variation name');
  const sku = optionalString(data.sku, what, 'sku');
  const upc = optionalString(data.upc, what, 'upc');
  return {
    id: object.id as string,
    deleted: object.isDeleted === true,
    ...(itemId ? { itemId } : {}),
    ...(name ? { name } : {}),
    ...(sku ? { sku } : {}),
    ...(upc ? { upc } : {}),
    ...(priceCents === undefined ? {} : { priceCents }),
  };
}

export function parseCatalogObject(value: unknown, what: string): CatalogRecord {
  const object = record(value, what);
  if (typeof object.id !== 'string' || object.id === '' || typeof object.type !== 'string') throw bad(what, 'a catalog object has no id or type');
  if (object.type === 'ITEM_VARIATION') return { type: 'ITEM_VARIATION', variation: variationOf(object, what) };
  if (object.type !== 'ITEM') return { type: 'OTHER', id: object.id };
  const data = isRecord(object.itemData) ? object.itemData : {};
  const name = optionalString(data.name, what, 'item name') ?? '';
  const variations = (Array.isArray(data.variations) ? data.variations : []).flatMap((v) => {
    const parsed = parseCatalogObject(v, what);
    return parsed.type === 'ITEM_VARIATION' ? [parsed.variation] : [];
  });
  return { type: 'ITEM', item: { id: object.id, name, variations, deleted: object.isDeleted === true } };
}

export function parseBatchGet(value: unknown, what: string): { objects: CatalogRecord[]; related: CatalogRecord[] } {
  const body = record(value, what);
  refuseErrors(body, what);
  return {
    objects: list(body, 'objects', what).map((o) => parseCatalogObject(o, what)),
    related: list(body, 'relatedObjects', what).map((o) => parseCatalogObject(o, what)),
  };
}

export function parseSearchItems(value: unknown, what: string): { items: ItemRecord[]; matchedVariationIds: Set<string> } {
  const body = record(value, what);
  refuseErrors(body, what);
  const items = list(body, 'items', what).flatMap((o) => {
    const parsed = parseCatalogObject(o, what);
    return parsed.type === 'ITEM' ? [parsed.item] : [];
  });
  const matched = list(body, 'matchedVariationIds', what).filter((id): id is string => typeof id === 'string');
  return { items, matchedVariationIds: new Set(matched) };
}

/** One page of SearchCatalogObjects for ITEMs. */
export function parseItemsPage(value: unknown, what: string): { items: ItemRecord[]; cursor?: string } {
  const body = record(value, what);
  refuseErrors(body, what);
  const items = list(body, 'objects', what).flatMap((o) => {
    const parsed = parseCatalogObject(o, what);
    return parsed.type === 'ITEM' ? [parsed.item] : [];
  });
  const cursor = optionalString(body.cursor, what, 'cursor');
  return { items, ...(cursor ? { cursor } : {}) };
}

/** The id Square gave the sale's adjustment; anything less is an unreadable answer. */
export function parseSaleAnswer(value: unknown, what: string, variationId: string): string {
  const body = record(value, what);
  refuseErrors(body, what);
  for (const raw of list(body, 'changes', what)) {
    if (!isRecord(raw) || !isRecord(raw.adjustment)) continue;
    const { id, catalogObjectId } = raw.adjustment;
    if (typeof id === 'string' && id !== '' && (catalogObjectId === undefined || catalogObjectId === variationId)) return id;
  }
  throw bad(what, 'answer names no adjustment for the sale');
}
