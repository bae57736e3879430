import pg from 'pg';
import type { SinkTableConfig } from '../config/types.ts';
import type { SqlClient, SqlQueryable } from '../core/sql.ts';
import type { Sink } from './sink.ts';
import { openPgSink } from './pg-writer.ts';
import type { SinkOptions } from './common.ts';

/** External PostgreSQL sink: a small node-postgres pool behind `SqlClient`, then the shared writer. */

const CONNECT_TIMEOUT_MS = 10_000;

/** "postgres://user@host:port/db" without the password; key=value strings are summarised. */
export function describePostgres(connectionString: string): { target: string; secret: string | undefined } {
  try {
    const url = new URL(connectionString);
    const secret = url.password ? decodeURIComponent(url.password) : undefined;
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    const host = url.hostname || url.searchParams.get('host') || 'localhost';
    const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return { target: `postgres://${user}${host}:${url.port || '5432'}/${db}`, secret };
  } catch {
    const field = (k: string) => new RegExp(`(?:^|\\s)${k}\\s*=\\s*'?([^'\\s]*)`).exec(connectionString)?.[1];
    return {
      target: `postgres://${field('user') ? `${field('user')}@` : ''}${field('host') ?? 'localhost'}:${field('port') ?? '5432'}/${field('dbname') ?? '(default database)'}`,
      secret: field('password'),
    };
  }
}

function poolClient(pool: pg.Pool): SqlClient {
  const run = async <T>(q: SqlQueryable | pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    const res = await (q as pg.Pool).query(sql, params as unknown[] | undefined);
    return { rows: res.rows as T[] };
  };
  return {
    query: <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => run<T>(pool, sql, params),
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      let broken: Error | undefined;
      try {
        await conn.query('BEGIN');
        const out = await fn({ query: <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => run<R>(conn, sql, params) });
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await conn.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // the connection is unusable: drop it from the pool
        }
        throw err;
      } finally {
        conn.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

export async function openPostgresSink(connectionString: string, table: SinkTableConfig, options?: SinkOptions): Promise<Sink> {
  const { target, secret } = describePostgres(connectionString);
  const pool = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  try {
    return await openPgSink({ client: poolClient(pool), table, target, secret, ownsClient: true, options });
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
