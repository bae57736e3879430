import pg from 'pg';
import type { CoreSql, CoreTx } from './core-sql.ts';

/**
 * The core on a real PostgreSQL (several possync instances may share it). Errors and descriptions
 * name host, port, database and user, never the password (rule 9).
 */

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** Where a connection string points, without its secrets. */
export function describeTarget(connectionString: string): PostgresTarget {
  // pg's own parsing, so URL and key=value forms and PG* environment defaults all agree with it.
  const client = new pg.Client({ connectionString });
  return { host: String(client.host), port: Number(client.port), database: String(client.database), user: String(client.user) };
}

export function targetText(target: PostgresTarget): string {
  return `postgresql://${target.user}@${target.host}:${target.port}/${target.database}`;
}

export class CoreDatabaseUnreachableError extends Error {
  override readonly name = 'CoreDatabaseUnreachableError';
  constructor(
    readonly target: PostgresTarget,
    reason: string,
  ) {
    super(`cannot reach the core database ${targetText(target)}: ${reason}`);
  }
}

/** The query pool's size when the config does not say (Core.PoolSize). */
export const DEFAULT_POOL_SIZE = 10;
/**
 * The most connections the per-account locks hold at once (their own pool, see openLockPool).
 * Each running poll, change-poll, webhook read or token refresh holds or waits for one; the job
 * workers run at most 4 of each kind at a time, so this leaves ample room.
 */
export const LOCK_CONNECTIONS = 64;

export interface PostgresOpenOptions {
  /** Query pool size (default DEFAULT_POOL_SIZE). */
  max?: number;
  connectionTimeoutMillis?: number;
  onError?: (error: Error) => void;
}

export async function openPostgres(connectionString: string, options: PostgresOpenOptions = {}): Promise<{ pool: pg.Pool; sql: CoreSql }> {
  const target = describeTarget(connectionString);
  const password = passwordOf(connectionString);
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    application_name: 'possync',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (error) => options.onError?.(scrub(error, password)));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new CoreDatabaseUnreachableError(target, scrub(error, password).message);
  }
  return { pool, sql: poolSql(pool) };
}

/**
 * Connections for the per-account session locks (account-lock.ts), apart from the query pool. A
 * lock is held for a whole poll or token refresh (an HTTP call included) while its holder still
 * runs queries; taken from the query pool, enough concurrent holders and waiters left no
 * connection for those queries and every one of them stalled until the connection timeout
 * (test/integration/token-refresh-pool-postgres.test.ts). Opened on demand, closed when idle.
 */
export function openLockPool(connectionString: string, onError?: (error: Error) => void): pg.Pool {
  const password = passwordOf(connectionString);
  const pool = new pg.Pool({ connectionString, max: LOCK_CONNECTIONS, idleTimeoutMillis: 30_000, application_name: 'possync-locks' });
  pool.on('error', (error) => onError?.(scrub(error, password)));
  return pool;
}

/** A node-postgres pool as the core's SQL surface; the sink's PostgreSQL writer uses it too. */
export function poolSql(pool: pg.Pool): CoreSql {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await pool.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[] };
    },
    async exec(script: string) {
      await pool.query(script);
    },
    async transaction<T>(fn: (tx: CoreTx) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        try {
          const result = await fn(clientTx(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            // A connection that cannot roll back is dropped rather than reused mid-transaction.
            broken = rollbackError as Error;
          }
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

function clientTx(client: pg.PoolClient): CoreTx {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[] };
    },
    async exec(script: string) {
      await client.query(script);
    },
  };
}

function passwordOf(connectionString: string): string | undefined {
  const client = new pg.Client({ connectionString });
  const password = (client as unknown as { password?: unknown }).password;
  return typeof password === 'string' && password.length > 0 ? password : undefined;
}

/** The error with every occurrence of the password removed from its message. */
function scrub(error: unknown, password: string | undefined): Error {
  // Node reports a refused "localhost" (IPv6 and IPv4 both tried) as an AggregateError with no message.
  const inner = error instanceof AggregateError ? error.errors.map((e: unknown) => (e as Error).message).join('; ') : '';
  const message = (error instanceof Error ? error.message || inner || (error as { code?: string }).code : String(error)) || 'unknown error';
  const clean = password ? message.split(password).join('***') : message;
  return clean === message && error instanceof Error ? error : new Error(clean);
}
