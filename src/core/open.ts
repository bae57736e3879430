import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { fromPglite, type ConstructorOptions, type Db } from 'pg-boss';
import type { CoreDatabaseConfig } from '../config/types.ts';
import type { AccountConfig } from '../pos/accounts.ts';
import type { SqlQueryable } from './sql.ts';
import type { CoreSql } from './core-sql.ts';
import { lockDataFolder, type DataFolderLock } from './lock.ts';
import type { PgliteOpenOptions } from './pglite.ts';
import { describeTarget, openLockPool, openPostgres, targetText } from './postgres.ts';
import { migrate, type MigrateResult } from './migrations.ts';
import { syncAccounts } from './accounts.ts';
import { localAccountLocks, postgresAccountLocks, type AccountLocks } from './account-lock.ts';

/** possync's own database, opened, migrated and ready for the repositories. */
export interface Core {
  readonly kind: CoreDatabaseConfig['kind'];
  readonly sql: CoreSql;
  /** Per-account locks every instance on this database sees (one poll per account at a time). */
  readonly locks: AccountLocks;
  /** What migrations did at open. */
  readonly migrations: MigrateResult;
  /** Where the data lives, for logs and the dashboard; never a password. */
  describe(): string;
  /** What `new PgBoss(...)` needs to use this database. */
  pgBossOptions(): ConstructorOptions;
  /**
   * A core transaction as pg-boss's `db` option, so a job sent inside it commits or rolls back
   * with it: `boss.send(queue, data, { db: core.jobDb(tx) })`. On PGlite this is required, not
   * optional: a send through pg-boss's own db would wait for the transaction's connection.
   */
  jobDb(tx: SqlQueryable): Db;
  close(): Promise<void>;
}

export interface OpenCoreOptions {
  /** Non-fatal news (a stale lock taken over, an idle connection lost). */
  onNotice?: (message: string) => void;
  /** Upserted into `accounts` after migrating. */
  accounts?: readonly AccountConfig[];
  pglite?: PgliteOpenOptions;
  postgres?: { max?: number; connectionTimeoutMillis?: number };
}

export async function openCore(config: CoreDatabaseConfig, options: OpenCoreOptions = {}): Promise<Core> {
  const core = config.kind === 'pglite' ? await openPgliteCore(config.dataDir, options) : await openPostgresCore(config.connectionString, config.poolSize, options);
  try {
    const migrations = await migrate(core.sql);
    if (options.accounts) await syncAccounts(core.sql, options.accounts);
    return { ...core, migrations };
  } catch (error) {
    await core.close().catch(() => {});
    throw error;
  }
}

type Unmigrated = Omit<Core, 'migrations'>;

async function openPgliteCore(dataDir: string, options: OpenCoreOptions): Promise<Unmigrated> {
  // The lock comes first: initialising or opening a folder another process uses already harms it.
  mkdirSync(dataDir, { recursive: true });
  const lock: DataFolderLock = await lockDataFolder(dataDir, { onNotice: options.onNotice });
  // Loaded only for an embedded core: PGlite's module alone costs ~40 MB of a PostgreSQL-backed service's memory.
  const { openPglite, pgliteSql } = await import('./pglite.ts');
  let pglite: PGlite;
  try {
    pglite = await openPglite(dataDir, { ...options.pglite, onNotice: options.onNotice });
  } catch (error) {
    lock.release();
    throw error;
  }
  const sql = pgliteSql(pglite);
  let closed = false;
  return {
    kind: 'pglite',
    sql,
    locks: localAccountLocks(),
    describe: () => `embedded PGlite in ${dataDir}`,
    pgBossOptions: () => ({ db: fromPglite(pglite), backend: 'pglite' }),
    jobDb,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await sql.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function openPostgresCore(connectionString: string, poolSize: number | undefined, options: OpenCoreOptions): Promise<Unmigrated> {
  const onError = (error: Error) => options.onNotice?.(`core database connection lost: ${error.message}`);
  const { sql } = await openPostgres(connectionString, { max: poolSize, ...options.postgres, onError });
  // Locks hold their connection for a whole poll or refresh: never the query pool's (see openLockPool).
  const lockPool = openLockPool(connectionString, onError);
  const where = targetText(describeTarget(connectionString));
  let closed = false;
  return {
    kind: 'postgres',
    sql,
    locks: postgresAccountLocks(lockPool),
    describe: () => `PostgreSQL ${where}`,
    // pg-boss runs its own pool (it needs LISTEN and its own transactions); jobs sent through
    // jobDb(tx) still land in the caller's transaction on our pool.
    pgBossOptions: () => ({ connectionString, application_name: 'possync-jobs' }),
    jobDb,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await sql.close();
      } finally {
        await lockPool.end();
      }
    },
  };
}

/**
 * pg-boss only needs `executeSql`. Errors are left to the caller's transaction, which rolls back;
 * pg-boss's own PGlite adapter would issue a ROLLBACK itself and end our transaction under us.
 */
function jobDb(tx: SqlQueryable): Db {
  return {
    executeSql: (text: string, values?: unknown[]) => tx.query(text, values ?? []),
  };
}
