import { PosBadResponseError } from '../errors.ts';

/**
 * Lightspeed's JSON at the boundary: every scalar is a string, a collection or relation holding one
 * record is an object, an empty one is left out. Everything past this file sees plain arrays.
 */
export type LsRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is LsRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/** "Wrap if object, [] if missing": the one rule for collections and relations. */
export function asList(value: unknown, what: string): LsRecord[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((entry, i) => {
    if (!isRecord(entry)) throw new PosBadResponseError(`Lightspeed ${what}[${i}] is not an object`);
  });
  return list as LsRecord[];
}

/** Rows of a relation holder such as `ItemShops: {ItemShop: …}`. */
export function relationRows(record: LsRecord, holder: string, inner: string, what: string): LsRecord[] {
  const value = record[holder];
  if (value === undefined || value === null || value === '') return [];
  if (!isRecord(value)) throw new PosBadResponseError(`Lightspeed ${what}.${holder} is not an object`);
  return asList(value[inner], `${what}.${holder}.${inner}`);
}

/** A scalar field as text (numbers tolerated in case a proxy re-typed them); '' when absent. */
export function text(record: LsRecord, field: string): string {
  const value = record[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** A field that must be present, such as an id. */
export function requiredText(record: LsRecord, field: string, what: string): string {
  const value = text(record, field).trim();
  if (value === '') throw new PosBadResponseError(`Lightspeed ${what} has no ${field}`);
  return value;
}

export function flag(record: LsRecord, field: string): boolean {
  const value = text(record, field).toLowerCase();
  return value === 'true' || value === '1';
}

/** A page of a list answer: its records and the next page's full URL ('' on the last page). */
export interface ListPage {
  records: LsRecord[];
  next: string;
}

export function readListPage(body: unknown, entity: string): ListPage {
  if (!isRecord(body)) throw new PosBadResponseError(`Lightspeed ${entity} list answer is not an object`);
  const attributes = body['@attributes'];
  const next = isRecord(attributes) && typeof attributes.next === 'string' ? attributes.next : '';
  return { records: asList(body[entity], entity), next };
}

/** The record of a single-record answer (`{"@attributes":{"count":"1"},"Sale":{…}}`). */
export function readSingle(body: unknown, entity: string): LsRecord {
  if (!isRecord(body)) throw new PosBadResponseError(`Lightspeed ${entity} answer is not an object`);
  const [record] = asList(body[entity], entity);
  if (!record) throw new PosBadResponseError(`Lightspeed ${entity} answer holds no ${entity}`);
  return record;
}

/** Lightspeed times ("2026-11-02T09:00:00+00:00") as ISO strings; undefined when unreadable. */
export function isoTime(value: string): string | undefined {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Money strings ("12.50") to integer cents; undefined when absent or not a number. */
export function cents(value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? Math.round(number * 100) : undefined;
}
