import type { SinkTableConfig } from '../config/types.ts';

/**
 * Table and column names come from configuration and end up inside SQL text, so they are
 * validated (a conservative identifier alphabet) and then quoted per dialect anyway.
 */
export type Dialect = 'postgres' | 'mysql';

/** Letters, digits, `_`, `$` and inner spaces; starts with a letter or `_`; at most 63 chars. */
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_$ ]{0,62}$/u;

export class SinkConfigError extends Error {
  override name = 'SinkConfigError';
}

export function validateIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.endsWith(' ')) {
    throw new SinkConfigError(
      `${what} ${JSON.stringify(name)} is not a valid SQL identifier ` +
        '(letters, digits, "_", "$" and inner spaces; starting with a letter or "_"; at most 63 characters)',
    );
  }
  return name;
}

export function quoteIdentifier(name: string, dialect: Dialect): string {
  return dialect === 'postgres' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;
}

/** A table name, optionally qualified by one schema (PostgreSQL) or database (MySQL): `shop.stock`. */
export interface TableName {
  schema: string | null;
  name: string;
}

export function parseTableName(raw: string): TableName {
  const parts = typeof raw === 'string' ? raw.split('.') : [];
  if (parts.length === 2) {
    return {
      schema: validateIdentifier(parts[0]!, 'sink table schema'),
      name: validateIdentifier(parts[1]!, 'sink table name'),
    };
  }
  if (parts.length === 1) return { schema: null, name: validateIdentifier(parts[0]!, 'sink table name') };
  throw new SinkConfigError(`sink table name ${JSON.stringify(raw)} must be "table" or "schema.table"`);
}

export type ColumnRole = keyof SinkTableConfig['columns'];
export const COLUMN_ROLES: readonly ColumnRole[] = [
  'posItemId',
  'ecommerceId',
  'quantity',
  'accountId',
  'description',
  'limitQuantity',
];

/** Validates every configured name at once, listing all the bad ones in one message. */
export function validateTableConfig(table: SinkTableConfig): TableName {
  const problems: string[] = [];
  let parsed: TableName | null = null;
  try {
    parsed = parseTableName(table.name);
  } catch (err) {
    problems.push((err as Error).message);
  }
  for (const role of COLUMN_ROLES) {
    try {
      validateIdentifier(table.columns[role], `sink column ${role}`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const [key, column] of Object.entries(table.keyColumns ?? {})) {
    if (column === undefined) continue;
    try {
      validateIdentifier(column, `sink ${key} column`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const lower = COLUMN_ROLES.map((r) => table.columns[r]?.toLowerCase());
  if (new Set(lower).size !== lower.length) problems.push('sink columns must be six distinct names');
  const keys = Object.values(table.keyColumns ?? {}).flatMap((c) => (c === undefined ? [] : [c.toLowerCase()]));
  if (keys.some((k) => lower.includes(k)) || new Set(keys).size !== keys.length) {
    problems.push('the sink SKU and barcode columns must differ from each other and from the six mapped columns');
  }
  if (problems.length > 0 || !parsed) throw new SinkConfigError(problems.join('; '));
  return parsed;
}

/** Picks the catalog name matching `wanted`: exact first, else the single case-insensitive match
 *  (a copy of the original table created unquoted in PostgreSQL has lower-case names). */
export function resolveName(wanted: string, available: readonly string[]): string | null {
  if (available.includes(wanted)) return wanted;
  const folded = available.filter((a) => a.toLowerCase() === wanted.toLowerCase());
  return folded.length === 1 ? folded[0]! : null;
}
