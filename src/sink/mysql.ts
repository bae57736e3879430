import mysql from 'mysql2/promise';
import type { SinkDatabaseConfig, SinkTableConfig } from '../config/types.ts';
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
 * MySQL/MariaDB sink. The original's `stock` table has no known unique key on the e-commerce id
 * (only `id` is a key), so `INSERT … ON DUPLICATE KEY UPDATE` can't be keyed on it; a batch is one
 * `UPDATE t JOIN (SELECT … UNION ALL SELECT …) v ON t.id_col = v.k SET … WHERE NOT (t.q <=> v.q)`.
 * The WHERE matters: MySQL fires BEFORE/AFTER UPDATE triggers for every matched row, even one
 * whose value does not change.
 */

type MysqlConfig = Extract<SinkDatabaseConfig, { kind: 'mysql' }>;

const CONNECT_TIMEOUT_MS = 10_000;
const bq = (name: string) => quoteIdentifier(name, 'mysql');

export function describeMysql(c: MysqlConfig): string {
  return `mysql://${c.user}@${c.host}:${c.port}/${c.database}`;
}

function idKindOf(type: string): IdKind {
  if (['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint'].includes(type)) return 'integer';
  if (type === 'decimal' || type === 'numeric') return 'decimal';
  if (/char|text/.test(type)) return 'text';
  return 'other';
}

/** The SQL expression a parameter goes through so it compares exactly with the id column: a
 *  string against an INT column would be compared as a double, and a utf8mb4 parameter against a
 *  latin1 column is an "Illegal mix of collations" inside a derived table. */
function idParam(kind: IdKind, charset: string | null, collation: string | null): string {
  if (kind === 'integer') return 'CAST(? AS SIGNED)';
  if (kind === 'decimal') return 'CAST(? AS DECIMAL(65,0))';
  // Names from information_schema, still checked before they go into SQL text.
  if (kind === 'text' && charset && collation && /^\w+$/.test(charset) && /^\w+$/.test(collation)) {
    return `CONVERT(? USING ${charset}) COLLATE ${collation}`;
  }
  return '?';
}

/** Statements are prepared and cached per connection by their text, so batches are padded (by
 *  repeating their last row, harmless in a join) to a few fixed sizes instead of one per length. */
function paddedSize(n: number, max: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return Math.min(size, max);
}
function pad<T>(items: T[], size: number): T[] {
  const out = items.slice();
  while (out.length < size) out.push(items[items.length - 1]!);
  return out;
}

/** The shop table as possync creates it on MySQL/MariaDB: the original's `stock` shape. */
export function mysqlCreateTableSql(table: SinkTableConfig): string {
  const parsed = validateTableConfig(table);
  const c = table.columns;
  const qualified = (parsed.schema ? `${bq(parsed.schema)}.` : '') + bq(parsed.name);
  const idCol = Object.values(c).some((n) => n.toLowerCase() === 'id') ? '' : '\n  `id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,';
  return `CREATE TABLE IF NOT EXISTS ${qualified} (${idCol}
  ${bq(c.posItemId)} VARCHAR(255) NOT NULL,
  ${bq(c.ecommerceId)} VARCHAR(255) NOT NULL,
  ${bq(c.quantity)} INT NOT NULL DEFAULT 0,
  ${bq(c.accountId)} VARCHAR(255) NULL,
  ${bq(c.description)} VARCHAR(255) NULL,
  ${bq(c.limitQuantity)} INT NOT NULL DEFAULT 0,
  KEY (${bq(c.ecommerceId)})
)`;
}

export async function openMysqlSink(config: MysqlConfig, table: SinkTableConfig, options?: SinkOptions): Promise<Sink> {
  const target = describeMysql(config);
  const secret = config.password || undefined;
  const fail = (err: unknown, action: string): never => wrapError(err, action, target, secret);
  const parsed = validateTableConfig(table);
  const batchSize = batchSizeOf(options);
  const pool = mysql.createPool({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    connectionLimit: 2,
    connectTimeout: CONNECT_TIMEOUT_MS,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });

  try {
    const find = async () => {
      const [tables] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND LOWER(TABLE_NAME) = LOWER(?)`,
        [parsed.schema, parsed.name],
      );
      const exact = tables.find((t) => t.n === parsed.name);
      const pick = exact ?? (tables.length === 1 ? tables[0] : undefined);
      if (!pick) return null;
      const [cols] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [pick.s, pick.n],
      );
      return {
        schema: String(pick.s),
        name: String(pick.n),
        columns: cols.map((c) => ({
          name: String(c.name),
          type: String(c.type).toLowerCase(),
          charset: c.cs == null ? null : String(c.cs),
          collation: c.co == null ? null : String(c.co),
        })),
      };
    };
    let catalog = await find().catch((err) => fail(err, 'open'));
    if (!catalog && options?.createIfMissing) {
      await pool.query(mysqlCreateTableSql(table)).catch((err) => fail(err, 'create table'));
      catalog = await find().catch((err) => fail(err, 'open'));
    }
    if (!catalog) {
      throw new SinkError(
        `sink table check failed on ${target}: table ${table.name} does not exist in database ${parsed.schema ?? config.database}; ` +
          'create it or fix the sink table name in the configuration',
      );
    }
    const cat = catalog;
    const resolved = resolveColumns(table, cat.columns.map((c) => c.name), `${cat.schema}.${cat.name}`, target);
    const keyColumns = resolveKeyColumns(table, cat.columns.map((c) => c.name), `${cat.schema}.${cat.name}`, target);
    const col = (role: ColumnRole) => bq(resolved[role]);
    const columnOf = (role: ColumnRole) => cat.columns.find((c) => c.name === resolved[role])!;
    const typeOf = (role: ColumnRole) => columnOf(role).type;
    if (!/int|decimal|numeric|float|double|real/.test(typeOf('quantity'))) {
      throw new SinkError(`sink table check failed on ${target}: column ${resolved.quantity} has type ${typeOf('quantity')}; the quantity column must be numeric`);
    }
    const kind = idKindOf(typeOf('ecommerceId'));
    const idExpr = idParam(kind, columnOf('ecommerceId').charset, columnOf('ecommerceId').collation);
    const tbl = `${bq(cat.schema)}.${bq(cat.name)}`;
    const match = kind === 'other' ? `CAST(t.${col('ecommerceId')} AS CHAR) = v.k` : `t.${col('ecommerceId')} = v.k`;
    const rowsOf = (n: number, one: string) => Array.from({ length: n }, () => one).join(' UNION ALL ');

    const updateSql = (n: number) =>
      `UPDATE ${tbl} AS t JOIN (${rowsOf(n, `SELECT ${idExpr} AS k, CAST(? AS SIGNED) AS q`)}) AS v ON ${match}
          SET t.${col('quantity')} = v.q WHERE NOT (t.${col('quantity')} <=> v.q)`;
    const readSql = (n: number) =>
      `SELECT v.id, t.${col('quantity')} AS quantity FROM ${tbl} AS t
         JOIN (${rowsOf(n, `SELECT ? AS id, ${idExpr} AS k`)}) AS v ON ${match}`;
    const idWhere = kind === 'other' ? `CAST(${col('ecommerceId')} AS CHAR) = ?` : `${col('ecommerceId')} = ${idExpr}`;

    return {
      async writeQuantities(rows): Promise<SinkWriteResult> {
        const writes = prepareWrites(rows, kind);
        let changed = 0;
        for (const batch of chunk(writes, batchSize)) {
          const padded = pad(batch, paddedSize(batch.length, batchSize));
          // One autocommitted statement per batch: all of it or none; a retry later is harmless.
          const [res] = await pool
            .execute<mysql.ResultSetHeader>(updateSql(padded.length), padded.flatMap((w) => [w.id, w.quantity]))
            .catch((err) => fail(err, 'write'));
          // changedRows, not affectedRows: with CLIENT_FOUND_ROWS the latter counts matched rows.
          changed += res.changedRows;
        }
        return { changed };
      },

      async upsertItem(row: SinkRow): Promise<void> {
        const id = requireCanonicalId(String(row.ecommerceId), kind, resolved.ecommerceId, target);
        const quantity = checkQuantity(row.quantity, 'quantity');
        const limit = checkQuantity(row.limitQuantity, 'limitQuantity');
        const conn = await pool.getConnection().catch((err) => fail(err, 'upsert'));
        try {
          await conn.beginTransaction();
          // FOR UPDATE locks the matching rows (and, in InnoDB, the gaps), so a concurrent upsert of
          // the same id waits instead of inserting a duplicate.
          const [found] = await conn.execute<mysql.RowDataPacket[]>(
            `SELECT COUNT(*) AS n FROM ${tbl} WHERE ${idWhere} FOR UPDATE`,
            [id],
          );
          if (Number(found[0]?.n ?? 0) > 0) {
            await conn.execute(
              `UPDATE ${tbl} SET ${col('posItemId')} = ?, ${col('accountId')} = ?, ${col('description')} = ?,
                 ${col('limitQuantity')} = ?, ${col('quantity')} = ? WHERE ${idWhere}`,
              [row.posItemId, row.accountId, row.description, limit, quantity, id],
            );
          } else {
            await conn.execute(
              `INSERT INTO ${tbl} (${col('ecommerceId')}, ${col('posItemId')}, ${col('accountId')}, ${col('description')},
                 ${col('limitQuantity')}, ${col('quantity')}) VALUES (?, ?, ?, ?, ?, ?)`,
              [id, row.posItemId, row.accountId, row.description, limit, quantity],
            );
          }
          await conn.commit();
        } catch (err) {
          await conn.rollback().catch(() => {});
          fail(err, 'upsert');
        } finally {
          conn.release();
        }
      },

      async upsertItems(rows: readonly SinkRow[]): Promise<void> {
        // Last row wins per id, like writeQuantities.
        const byId = new Map<string, SinkRow & { id: string }>();
        for (const row of rows) {
          const id = requireCanonicalId(String(row.ecommerceId), kind, resolved.ecommerceId, target);
          checkQuantity(row.quantity, 'quantity');
          checkQuantity(row.limitQuantity, 'limitQuantity');
          byId.set(id, { ...row, id });
        }
        for (const batch of chunk([...byId.values()], batchSize)) {
          const conn = await pool.getConnection().catch((err) => fail(err, 'upsert'));
          try {
            await conn.beginTransaction();
            // As in upsertItem: FOR UPDATE locks the batch's rows (and gaps) so a concurrent upsert
            // of one of these ids waits instead of inserting a duplicate. query(), not execute():
            // batch lengths vary and each length would be another prepared statement.
            // The ids come back as given, so the table's own comparison (collation, numeric casts) decides.
            const [found] = await conn.query<mysql.RowDataPacket[]>(
              `SELECT DISTINCT v.id FROM ${tbl} AS t JOIN (${rowsOf(batch.length, `SELECT ? AS id, ${idExpr} AS k`)}) AS v ON ${match} FOR UPDATE`,
              batch.flatMap((r) => [r.id, r.id]),
            );
            const present = new Set(found.map((r) => String(r.id)));
            const existing = batch.filter((r) => present.has(r.id));
            const fresh = batch.filter((r) => !present.has(r.id));
            if (existing.length > 0) {
              await conn.query(
                `UPDATE ${tbl} AS t JOIN (${rowsOf(existing.length, `SELECT ${idExpr} AS k, ? AS p, ? AS a, ? AS d, CAST(? AS SIGNED) AS l, CAST(? AS SIGNED) AS q`)}) AS v
                    ON ${match}
                   SET t.${col('posItemId')} = v.p, t.${col('accountId')} = v.a, t.${col('description')} = v.d,
                       t.${col('limitQuantity')} = v.l, t.${col('quantity')} = v.q`,
                existing.flatMap((r) => [r.id, r.posItemId, r.accountId, r.description, r.limitQuantity, r.quantity]),
              );
            }
            if (fresh.length > 0) {
              // One multi-row INSERT for the batch's new rows.
              await conn.query(
                `INSERT INTO ${tbl} (${col('ecommerceId')}, ${col('posItemId')}, ${col('accountId')}, ${col('description')},
                   ${col('limitQuantity')}, ${col('quantity')}) VALUES ${fresh.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
                fresh.flatMap((r) => [r.id, r.posItemId, r.accountId, r.description, r.limitQuantity, r.quantity]),
              );
            }
            await conn.commit();
          } catch (err) {
            await conn.rollback().catch(() => {});
            fail(err, 'upsert');
          } finally {
            conn.release();
          }
        }
      },

      async readKeys(by) {
        const key = bq(keyColumnOf(keyColumns, by));
        const [rows] = await pool
          .query<mysql.RowDataPacket[]>(
            `SELECT CAST(${col('ecommerceId')} AS CHAR) AS id, CAST(${key} AS CHAR) AS \`key\`, CAST(${col('accountId')} AS CHAR) AS account
               FROM ${tbl} WHERE ${col('ecommerceId')} IS NOT NULL ORDER BY ${col('ecommerceId')}`,
          )
          .catch((err) => fail(err, 'read'));
        return toKeyRows(rows as Array<{ id: unknown; key: unknown; account: unknown }>);
      },

      async readQuantities(ids): Promise<Map<string, number>> {
        const wanted = [...new Set(ids.map(String))].filter((id) => canonicalId(id, kind) !== null);
        const result = new Map<string, number>();
        for (const batch of chunk(wanted, batchSize)) {
          const padded = pad(batch, paddedSize(batch.length, batchSize));
          const [rows] = await pool
            .execute<mysql.RowDataPacket[]>(readSql(padded.length), padded.flatMap((id) => [id, canonicalId(id, kind)]))
            .catch((err) => fail(err, 'read'));
          for (const r of rows) result.set(String(r.id), Number(r.quantity));
        }
        return result;
      },

      describe: () => `${target} (table ${table.name})`,

      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
