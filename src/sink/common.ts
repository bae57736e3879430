import type { ShopKey, SinkTableConfig } from '../config/types.ts';
import { COLUMN_ROLES, resolveName, type ColumnRole } from './identifiers.ts';

/**
 * Pieces both dialect writers share: error wrapping without secrets, id handling for numeric
 * id columns, batching and de-duplication of the rows to write.
 */

export const DEFAULT_BATCH_SIZE = 500;

export interface SinkOptions {
  /** Create the table when missing (demo/tests). The shop's real table is never created by default. */
  createIfMissing?: boolean;
  /** Rows per statement. */
  batchSize?: number;
}

export class SinkError extends Error {
  override name = 'SinkError';
  /** Driver error code (ECONNREFUSED, ER_ACCESS_DENIED_ERROR, 28P01, ...) when there was one. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/** Re-throws any driver error as a SinkError naming the target, with the password scrubbed. The
 *  original error is deliberately not kept as `cause`: a driver may carry its config in it. */
export function wrapError(err: unknown, action: string, target: string, secret?: string): never {
  if (err instanceof SinkError) throw err;
  const e = err as { message?: unknown; code?: unknown; errors?: Array<{ message?: unknown }> };
  // An AggregateError (connection refused on IPv4 and IPv6) has an empty message of its own.
  let detail = String(e?.message || e?.errors?.map((x) => String(x.message)).join('; ') || err);
  if (secret) detail = detail.replaceAll(secret, '***');
  const code = typeof e?.code === 'string' ? e.code : undefined;
  throw new SinkError(`sink ${action} failed on ${target}: ${detail}${code ? ` (${code})` : ''}`, code);
}

/** How the e-commerce id column compares with the strings possync passes. */
export type IdKind = 'integer' | 'decimal' | 'text' | 'other';

const INTEGER_ID = /^-?\d{1,18}$/;
const DECIMAL_ID = /^-?\d{1,60}$/;

/** The canonical form of an id for the column, or null when no row can have it (e.g. "abc" in an
 *  INT column: MySQL would silently compare it as 0 or as its numeric prefix). */
export function canonicalId(id: string, kind: IdKind): string | null {
  if (kind === 'integer' || kind === 'decimal') {
    const trimmed = id.trim();
    if (!(kind === 'integer' ? INTEGER_ID : DECIMAL_ID).test(trimmed)) return null;
    return BigInt(trimmed).toString();
  }
  return id;
}

export function requireCanonicalId(id: string, kind: IdKind, column: string, target: string): string {
  const c = canonicalId(id, kind);
  if (c === null) {
    throw new SinkError(`sink upsert failed on ${target}: e-commerce id ${JSON.stringify(id)} is not a whole number, but column ${column} is numeric`);
  }
  return c;
}

export function checkQuantity(q: unknown, what: string): number {
  if (typeof q !== 'number' || !Number.isSafeInteger(q)) throw new SinkError(`${what} must be a whole number, got ${String(q)}`);
  return q;
}

/** Last value wins per canonical id; ids that cannot exist in the column are dropped. */
export function prepareWrites(
  rows: ReadonlyArray<{ ecommerceId: string; quantity: number }>,
  kind: IdKind,
): Array<{ id: string; quantity: number }> {
  const byId = new Map<string, number>();
  for (const row of rows) {
    const q = checkQuantity(row.quantity, `quantity of e-commerce id ${JSON.stringify(row.ecommerceId)}`);
    const id = canonicalId(String(row.ecommerceId), kind);
    if (id !== null) byId.set(id, q);
  }
  return [...byId].map(([id, quantity]) => ({ id, quantity }));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function batchSizeOf(options: SinkOptions | undefined): number {
  const n = options?.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new SinkError(`sink batchSize must be 1..5000, got ${n}`);
  return n;
}

/** Maps each configured column to its real catalog name, or lists every missing one. */
export function resolveColumns(
  table: SinkTableConfig,
  available: readonly string[],
  tableLabel: string,
  target: string,
): Record<ColumnRole, string> {
  const resolved = {} as Record<ColumnRole, string>;
  const missing: string[] = [];
  for (const role of COLUMN_ROLES) {
    const name = resolveName(table.columns[role], available);
    if (name === null) missing.push(table.columns[role]);
    else resolved[role] = name;
  }
  if (missing.length > 0) {
    throw new SinkError(
      `sink table check failed on ${target}: table ${tableLabel} has no column${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')} (it has: ${available.join(', ') || 'none'}); fix the sink column names in the configuration`,
    );
  }
  return resolved;
}

/** The configured SKU/barcode columns' real catalog names; a configured one that is missing fails like a mapped column. */
export function resolveKeyColumns(
  table: SinkTableConfig,
  available: readonly string[],
  tableLabel: string,
  target: string,
): Partial<Record<ShopKey, string>> {
  const resolved: Partial<Record<ShopKey, string>> = {};
  for (const [key, wanted] of Object.entries(table.keyColumns ?? {}) as Array<[ShopKey, string | undefined]>) {
    if (wanted === undefined) continue;
    const name = resolveName(wanted, available);
    if (name === null) {
      throw new SinkError(
        `sink table check failed on ${target}: table ${tableLabel} has no ${key} column ${wanted} (it has: ${available.join(', ') || 'none'}); ` +
          'fix EcommerceTable.Columns.' + (key === 'sku' ? 'Sku' : 'Barcode') + ' in the configuration',
      );
    }
    resolved[key] = name;
  }
  return resolved;
}

/** The column auto-match reads for this key, or a SinkError saying how to configure it. */
export function keyColumnOf(resolved: Partial<Record<ShopKey, string>>, by: ShopKey): string {
  const column = resolved[by];
  if (column === undefined) {
    throw new SinkError(`the shop table has no ${by} column configured (set EcommerceTable.Columns.${by === 'sku' ? 'Sku' : 'Barcode'})`, 'NO_KEY_COLUMN');
  }
  return column;
}

/** Shop key rows as the drivers return them (ids and keys already cast to text). */
export function toKeyRows(rows: ReadonlyArray<{ id: unknown; key: unknown; account: unknown }>): Array<{ ecommerceId: string; key: string | null; accountId: string | null }> {
  return rows.map((r) => {
    const key = r.key == null ? '' : String(r.key).trim();
    return { ecommerceId: String(r.id), key: key === '' ? null : key, accountId: r.account == null ? null : String(r.account) };
  });
}
