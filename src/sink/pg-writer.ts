import type { SinkTableConfig } from '../config/types.ts';
import type { SqlClient } from '../core/sql.ts';
import type { Sink, SinkRow, SinkWriteResult } from './sink.ts';
import { quoteIdentifier, validateTableConfig, type ColumnRole } from './identifiers.ts';
import {
  SinkError,
  batchSizeOf,
  canonicalId,
  checkQuantity,
  chunk,
  prepareWrites,
  requireCanonicalId,
  keyColumnOf,
  resolveColumns,
  resolveKeyColumns,
  toKeyRows,
  wrapError,
  type IdKind,
  type SinkOptions,
} from './common.ts';

/**
 * The PostgreSQL-dialect sink, written once over `SqlClient` and used by both the embedded sink
 * (the core's PGlite/PostgreSQL client) and the external PostgreSQL sink (a node-postgres pool).
 *
 * Writes pass the whole batch as two array parameters (`unnest($1::text[], $2::int8[])`), so a
 * batch is one statement of constant shape whatever its size, and `IS DISTINCT FROM` keeps rows
 * already holding the value out of the UPDATE entirely (no write, no trigger, no dead tuple).
 */

export interface PgSinkParams {
  client: SqlClient;
  table: SinkTableConfig;
  /** Shown in describe() and in every error. */
  target: string;
  /** Scrubbed from error messages. */
  secret?: string;
  /** Whether close() also closes the client (not for the core's shared client). */
  ownsClient: boolean;
  options?: SinkOptions;
}

interface Catalog {
  schema: string;
  name: string;
  columns: Array<{ name: string; type: string; category: string }>;
}

const pg = (name: string) => quoteIdentifier(name, 'postgres');

async function findTable(client: SqlClient, schema: string | null, name: string): Promise<Catalog | null> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'f') AND lower(c.relname) = lower($1)
        AND (CASE WHEN $2::text IS NULL THEN n.nspname = ANY (current_schemas(false))
                  ELSE lower(n.nspname) = lower($2::text) END)
      ORDER BY array_position(current_schemas(false), n.nspname::text)`,
    [name, schema],
  );
  // Exact spelling first, else a single case-insensitive match (an unquoted copy of the original).
  // Rows come in search-path order, so the first of several same-named tables is the visible one.
  const exact = rows.find((r) => r.name === name && (schema === null || r.schema === schema));
  const spellings = new Set(rows.map((r) => r.name));
  const pick = exact ?? (spellings.size === 1 ? rows[0] : undefined);
  if (!pick) return null;
  const cols = await client.query<{ name: string; type: string; category: string }>(
    `SELECT a.attname AS name, t.typname AS type, t.typcategory AS category
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [pick.schema, pick.name],
  );
  return { schema: pick.schema, name: pick.name, columns: cols.rows };
}

function idKindOf(type: string, category: string): IdKind {
  if (type === 'int2' || type === 'int4' || type === 'int8') return 'integer';
  if (type === 'numeric') return 'decimal';
  if (category === 'S') return 'text';
  return 'other';
}

/** How `v.k` (text) is compared with the id column: cast to the column's family so an index on it
 *  is usable; unknown types fall back to comparing as text. */
function idMatch(kind: IdKind, column: string): string {
  switch (kind) {
    case 'integer': return `t.${column} = v.k::int8`;
    case 'decimal': return `t.${column} = v.k::numeric`;
    case 'text': return `t.${column} = v.k`;
    case 'other': return `t.${column}::text = v.k`;
  }
}

/** DDL mirroring the original MySQL table in PostgreSQL types (used for embedded and on request). */
export function createTableSql(qualified: string, name: string, c: SinkTableConfig['columns']): string[] {
  const idCol = Object.values(c).some((n) => n.toLowerCase() === 'id') ? '' : `"id" serial PRIMARY KEY,\n  `;
  return [`CREATE TABLE IF NOT EXISTS ${qualified} (
  ${idCol}${pg(c.posItemId)} varchar(255) NOT NULL,
  ${pg(c.ecommerceId)} varchar(255) NOT NULL,
  ${pg(c.quantity)} integer NOT NULL DEFAULT 0,
  ${pg(c.accountId)} varchar(255),
  ${pg(c.description)} varchar(255),
  ${pg(c.limitQuantity)} integer NOT NULL DEFAULT 0
)`,
    // Named, so instances starting together cannot make two of it.
    `CREATE INDEX IF NOT EXISTS ${pg(indexName(name, c.ecommerceId))} ON ${qualified} (${pg(c.ecommerceId)})`,
  ];
}

/** PostgreSQL's own name for an unnamed index on one column, so a table made by older versions keeps its index. */
function indexName(table: string, column: string): string {
  return `${table}_${column}_idx`.slice(0, 63);
}

/**
 * Creates the table and its index when missing. Instances starting together on one PostgreSQL
 * would otherwise race (two CREATE TABLE IF NOT EXISTS collide in pg_type; two unnamed CREATE
 * INDEX make two indexes), so it runs under an advisory lock on the table's name, with a named
 * index. Duplicates older versions left (PostgreSQL named them `<index>1`, `<index>2`, ...) go.
 */
async function ensureTable(client: SqlClient, schema: string | null, name: string, columns: SinkTableConfig['columns']): Promise<void> {
  const qualified = (schema ? `${pg(schema)}.` : '') + pg(name);
  const index = indexName(name, columns.ecommerceId);
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('possync.sink-table:' || $1))`, [qualified]);
    for (const statement of createTableSql(qualified, name, columns)) await tx.query(statement);
    const { rows } = await tx.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, i.relname AS name
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = i.relnamespace
        WHERE x.indrelid = $1::regclass AND NOT x.indisunique AND x.indnatts = 1 AND x.indpred IS NULL AND x.indexprs IS NULL
          AND left(i.relname, length($2)) = $2 AND substr(i.relname, length($2) + 1) ~ '^[0-9]+$'`,
      [qualified, index],
    );
    for (const row of rows) await tx.query(`DROP INDEX IF EXISTS ${pg(row.schema)}.${pg(row.name)}`);
  });
}

export async function openPgSink(params: PgSinkParams): Promise<Sink> {
  const { client, table, target, secret } = params;
  const parsed = validateTableConfig(table);
  const batchSize = batchSizeOf(params.options);
  const fail = (err: unknown, action: string): never => wrapError(err, action, target, secret);

  let catalog: Catalog | null = null;
  try {
    catalog = await findTable(client, parsed.schema, parsed.name);
    // An existing table is ensured too: it may carry the duplicate indexes older versions raced into.
    const ours = (c: Catalog) => c.name === parsed.name && c.columns.some((col) => col.name === table.columns.ecommerceId);
    if (params.options?.createIfMissing && (!catalog || ours(catalog))) {
      await ensureTable(client, parsed.schema, parsed.name, table.columns);
      catalog = await findTable(client, parsed.schema, parsed.name);
    }
  } catch (err) {
    fail(err, 'open');
  }
  if (!catalog) {
    throw new SinkError(
      `sink table check failed on ${target}: table ${table.name} does not exist` +
        `${parsed.schema ? '' : ' in the search path'}; create it or fix the sink table name in the configuration`,
    );
  }
  const cat: Catalog = catalog;
  const names = cat.columns.map((c) => c.name);
  const resolved = resolveColumns(table, names, `${cat.schema}.${cat.name}`, target);
  const keyColumns = resolveKeyColumns(table, names, `${cat.schema}.${cat.name}`, target);
  const col = (role: ColumnRole) => pg(resolved[role]);
  const typeOf = (role: ColumnRole) => cat.columns.find((c) => c.name === resolved[role])!;
  const qCol = typeOf('quantity');
  if (qCol.category !== 'N') {
    throw new SinkError(`sink table check failed on ${target}: column ${qCol.name} has type ${qCol.type}; the quantity column must be numeric`);
  }
  const idCol = typeOf('ecommerceId');
  const kind = idKindOf(idCol.type, idCol.category);
  const tbl = `${pg(cat.schema)}.${pg(cat.name)}`;
  const lockKey = `${cat.schema}.${cat.name}`;

  const updateSql =
    `WITH u AS (UPDATE ${tbl} AS t SET ${col('quantity')} = v.q
       FROM unnest($1::text[], $2::int8[]) AS v(k, q)
      WHERE ${idMatch(kind, col('ecommerceId'))} AND t.${col('quantity')} IS DISTINCT FROM v.q
      RETURNING 1)
     SELECT count(*)::int AS changed FROM u`;
  const readSql =
    `SELECT v.k AS id, t.${col('quantity')} AS quantity
       FROM unnest($1::text[]) AS v(k) JOIN ${tbl} AS t ON ${idMatch(kind, col('ecommerceId'))}`;
  // Untyped parameters take the column's own type here, whatever it is.
  const upsertUpdateSql =
    `WITH u AS (UPDATE ${tbl} SET ${col('posItemId')} = $2, ${col('accountId')} = $3, ${col('description')} = $4,
            ${col('limitQuantity')} = $5, ${col('quantity')} = $6
      WHERE ${kind === 'other' ? `${col('ecommerceId')}::text` : col('ecommerceId')} = $1 RETURNING 1)
     SELECT count(*)::int AS n FROM u`;
  const insertSql =
    `INSERT INTO ${tbl} (${col('ecommerceId')}, ${col('posItemId')}, ${col('accountId')}, ${col('description')},
            ${col('limitQuantity')}, ${col('quantity')}) VALUES ($1, $2, $3, $4, $5, $6)`;

  const batchValues = 'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[]) AS v(k, p, a, d, l, q)';
  const batchUpdateSql =
    `UPDATE ${tbl} AS t SET ${col('posItemId')} = v.p, ${col('accountId')} = v.a, ${col('description')} = v.d,
            ${col('limitQuantity')} = v.l, ${col('quantity')} = v.q
       FROM ${batchValues} WHERE ${idMatch(kind, col('ecommerceId'))} RETURNING v.k`;
  // INSERT … SELECT applies assignment casts; text to the id column's own type needs a real one.
  const batchInsertSql =
    `INSERT INTO ${tbl} (${col('ecommerceId')}, ${col('posItemId')}, ${col('accountId')}, ${col('description')},
            ${col('limitQuantity')}, ${col('quantity')})
     SELECT CAST(v.k AS ${pg(idCol.type)}), v.p, v.a, v.d, v.l, v.q FROM ${batchValues}`;

  return {
    async writeQuantities(rows): Promise<SinkWriteResult> {
      const writes = prepareWrites(rows, kind);
      let changed = 0;
      for (const batch of chunk(writes, batchSize)) {
        // One statement per batch: it commits or fails whole; earlier batches stay committed, and
        // re-running the same call later is harmless (unchanged rows are skipped).
        try {
          const { rows: out } = await client.query<{ changed: number }>(updateSql, [
            batch.map((w) => w.id),
            batch.map((w) => w.quantity),
          ]);
          changed += Number(out[0]?.changed ?? 0);
        } catch (err) {
          fail(err, 'write');
        }
      }
      return { changed };
    },

    async upsertItem(row: SinkRow): Promise<void> {
      const id = requireCanonicalId(String(row.ecommerceId), kind, resolved.ecommerceId, target);
      const quantity = checkQuantity(row.quantity, 'quantity');
      const limit = checkQuantity(row.limitQuantity, 'limitQuantity');
      const values = [id, row.posItemId, row.accountId, row.description, limit, quantity];
      try {
        await client.transaction(async (tx) => {
          // Nothing in a table we don't own makes the id unique: serialise upserts of one id so
          // two concurrent registrations can't both insert.
          await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`possync sink ${lockKey} ${id}`]);
          const { rows: out } = await tx.query<{ n: number }>(upsertUpdateSql, values);
          if (Number(out[0]?.n ?? 0) === 0) await tx.query(insertSql, values);
        });
      } catch (err) {
        fail(err, 'upsert');
      }
    },

    async upsertItems(rows: readonly SinkRow[]): Promise<void> {
      // Last row wins per id, like writeQuantities.
      const byId = new Map<string, unknown[]>();
      for (const row of rows) {
        const id = requireCanonicalId(String(row.ecommerceId), kind, resolved.ecommerceId, target);
        byId.set(id, [id, row.posItemId, row.accountId, row.description, checkQuantity(row.limitQuantity, 'limitQuantity'), checkQuantity(row.quantity, 'quantity')]);
      }
      for (const batch of chunk([...byId.values()], batchSize)) {
        const column = (i: number) => batch.map((values) => values[i]);
        try {
          await client.transaction(async (tx) => {
            // The same per-id locks as upsertItem, taken in one order so two batches cannot deadlock.
            await tx.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k', [column(0).map((id) => `possync sink ${lockKey} ${String(id)}`)]);
            const { rows: updated } = await tx.query<{ k: string }>(batchUpdateSql, [0, 1, 2, 3, 4, 5].map(column));
            const done = new Set(updated.map((r) => r.k));
            const rest = batch.filter((values) => !done.has(String(values[0])));
            if (rest.length > 0) await tx.query(batchInsertSql, [0, 1, 2, 3, 4, 5].map((i) => rest.map((values) => values[i])));
          });
        } catch (err) {
          fail(err, 'upsert');
        }
      }
    },

    async readQuantities(ids): Promise<Map<string, number>> {
      const wanted = [...new Set(ids.map(String))].filter((id) => canonicalId(id, kind) !== null);
      const result = new Map<string, number>();
      for (const batch of chunk(wanted, batchSize)) {
        try {
          const { rows } = await client.query<{ id: string; quantity: unknown }>(readSql, [batch]);
          for (const r of rows) result.set(r.id, Number(r.quantity));
        } catch (err) {
          fail(err, 'read');
        }
      }
      return result;
    },

    async readKeys(by) {
      const key = pg(keyColumnOf(keyColumns, by));
      try {
        const { rows } = await client.query<{ id: string; key: string | null; account: string | null }>(
          `SELECT ${col('ecommerceId')}::text AS id, ${key}::text AS key, ${col('accountId')}::text AS account
             FROM ${tbl} WHERE ${col('ecommerceId')} IS NOT NULL ORDER BY ${col('ecommerceId')}`,
        );
        return toKeyRows(rows);
      } catch (err) {
        return fail(err, 'read');
      }
    },

    describe: () => `${target} (table ${table.name})`,

    async close(): Promise<void> {
      if (params.ownsClient) await client.close();
    },
  };
}
