import pg from 'pg';
import type { SinkTableConfig } from '../config/types.ts';
import { poolSql } from '../core/postgres.ts';
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

export async function openPostgresSink(connectionString: string, table: SinkTableConfig, options?: SinkOptions): Promise<Sink> {
  const { target, secret } = describePostgres(connectionString);
  const pool = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  try {
    return await openPgSink({ client: poolSql(pool), table, target, secret, ownsClient: true, options });
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
