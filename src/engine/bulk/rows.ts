import { parse } from 'csv-parse/sync';
import { EngineInputError } from '../ports.ts';

/**
 * The rows of a bulk mapping, from a CSV file or a JSON array, checked one by one. A request
 * that cannot be read at all (not CSV, no header, a missing column, too many rows, text a
 * database cannot store) is a 400 naming where; a readable row that is wrong (no key, a bad
 * limit) is reported as `invalid` with the rest of the report, and the other rows go on.
 */
export const KEY_FIELDS = ['item_pos_id', 'sku', 'barcode', 'item_name'] as const;
export type KeyField = (typeof KEY_FIELDS)[number];

export interface BulkKey {
  by: KeyField;
  value: string;
}

export interface BulkRow {
  /** 1-based data row number (the CSV header is not counted). */
  row: number;
  ecommerceId: string;
  accountId: string;
  key: BulkKey | null;
  limitQuantity?: number;
  /** Why the row cannot be matched, when it cannot. */
  problem?: { field: string; message: string };
}

export const MAX_ROWS = 100_000;
const COLUMNS = ['item_ecommerce_id', 'account_id', ...KEY_FIELDS, 'limit_quantity'] as const;

/** U+0000 and lone surrogates cannot be stored in PostgreSQL text (DESIGN §7): the whole request is refused. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function cell(value: unknown, where: string, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new EngineInputError(field, `${where}: ${field} must be text or a number`, 400);
  if (UNSTORABLE.test(value)) throw new EngineInputError(field, `${where}: ${field} holds U+0000 or a lone surrogate, which cannot be stored`, 400);
  return value.trim();
}

/** One row from its cells (already text). */
function toRow(row: number, cells: Record<string, string>): BulkRow {
  const base = { row, ecommerceId: cells.item_ecommerce_id ?? '', accountId: cells.account_id ?? '' };
  const given = KEY_FIELDS.filter((field) => (cells[field] ?? '') !== '');
  const key = given.length === 1 ? { by: given[0]!, value: cells[given[0]!]! } : null;
  const out: BulkRow = { ...base, key };
  const limitText = cells.limit_quantity ?? '';
  if (limitText !== '') {
    if (/^\d{1,9}$/.test(limitText)) out.limitQuantity = Number(limitText);
    else out.problem = { field: 'limit_quantity', message: `limit_quantity must be a whole number ≥ 0 (got "${limitText}")` };
  }
  if (base.ecommerceId === '') out.problem = { field: 'item_ecommerce_id', message: 'item_ecommerce_id is blank' };
  else if (base.accountId === '') out.problem = { field: 'account_id', message: 'account_id is blank' };
  else if (given.length === 0) out.problem = { field: 'sku', message: `no key: give one of ${KEY_FIELDS.join(', ')} (a blank key is never matched)` };
  else if (given.length > 1) out.problem = { field: given[1]!, message: `give one key per row, not ${given.join(' and ')}` };
  return out;
}

function checkCount(count: number): void {
  if (count === 0) throw new EngineInputError('rows', 'no rows to map', 400);
  if (count > MAX_ROWS) throw new EngineInputError('rows', `${count} rows; at most ${MAX_ROWS} per request (split the file)`, 400);
}

/**
 * A CSV with a header row naming its columns (any order; unknown columns are ignored). csv-parse
 * handles quoting, embedded commas and newlines, a byte-order mark and CRLF line ends.
 */
export function rowsFromCsv(text: string): BulkRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new EngineInputError('body', `the CSV cannot be read: ${(error as Error).message}`, 400);
  }
  const [header, ...data] = records;
  if (!header) throw new EngineInputError('body', 'the CSV is empty: it needs a header row and one row per item', 400);
  const names = header.map((name) => name.trim().toLowerCase());
  for (const required of ['item_ecommerce_id', 'account_id']) {
    if (!names.includes(required)) throw new EngineInputError(required, `the CSV header has no ${required} column (it has: ${names.join(', ')})`, 400);
  }
  if (!KEY_FIELDS.some((field) => names.includes(field))) {
    throw new EngineInputError('sku', `the CSV header names no key column: give one of ${KEY_FIELDS.join(', ')}`, 400);
  }
  checkCount(data.length);
  return data.map((record, i) => {
    const cells: Record<string, string> = {};
    for (const column of COLUMNS) {
      const at = names.indexOf(column);
      if (at >= 0) cells[column] = cell(record[at], `row ${i + 1}`, column);
    }
    return toRow(i + 1, cells);
  });
}

/** A JSON array of row objects with the same field names as the CSV columns. */
export function rowsFromJson(body: unknown): BulkRow[] {
  if (!Array.isArray(body)) throw new EngineInputError('body', 'expected a JSON array of rows (or a text/csv body)', 400);
  checkCount(body.length);
  return body.map((value, i) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EngineInputError(`[${i}]`, `row ${i + 1} is not an object`, 400);
    const record = value as Record<string, unknown>;
    const cells: Record<string, string> = {};
    for (const column of COLUMNS) cells[column] = cell(record[column], `row ${i + 1}`, column);
    return toRow(i + 1, cells);
  });
}
