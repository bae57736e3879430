import pg from 'pg';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { migratedPgliteDir } from './pglite-template.ts';

/** Fresh databases on the machine's real servers; a server that is down fails the test with how to start it. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `possync_it_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable on 127.0.0.1:5432 (${(error as Error).message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The original program's `stock` table, under a unique name, in MariaDB's `test` database. */
export async function freshMariadbStockTable(): Promise<{ table: string; drop(): Promise<void> }> {
  const table = `stock_it_${randomBytes(4).toString('hex')}`;
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' });
  } catch (error) {
    throw new Error(`MariaDB is not reachable on 127.0.0.1:3306 (${(error as Error).message}); start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`);
  }
  await connection.query(
    `create table ${table} (id int not null auto_increment primary key, idProductPOS varchar(255) not null,
      idProductEcommerce int not null, quantity int not null default 0, accountID varchar(255) not null,
      description varchar(255) null, limitQuantity int not null default 0)`,
  );
  await connection.end();
  return {
    table,
    async drop() {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' });
      await c.query(`drop table if exists ${table}`);
      await c.end();
    },
  };
}

/** MariaDB's `test` database as the original's users configure it: an ADO.NET connection string. */
export const MARIADB_TEST_CONNECTION = 'Server=127.0.0.1;Port=3306;Database=test;Uid=root;Pwd=;';

/** The core in a fresh PostgreSQL database, the shop's original `stock` table in MariaDB. */
export async function postgresCoreWithMariadbShop(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const core = await freshPostgresDatabase();
  const shop = await freshMariadbStockTable();
  return {
    env: {
      POSSYNC__hangfireDatabaseConnectionString: core.url,
      POSSYNC__ecommerceDatabaseConnectionString: MARIADB_TEST_CONNECTION,
      POSSYNC__EcommerceTable__Name: shop.table,
    },
    cleanup: async () => {
      await shop.drop();
      await core.drop();
    },
  };
}

/** The two cores a test runs on: a temporary PGlite folder (a migrated copy, also given as --data-dir) or a fresh PostgreSQL database. */
export const CORE_BACKENDS: Record<string, () => Promise<{ env: Record<string, string>; args: string[]; cleanup(): Promise<void> }>> = {
  'embedded PGlite': async () => {
    const dir = await migratedPgliteDir('possync-core-');
    return { env: { POSSYNC__Core__DataFolder: dir.path }, args: ['--data-dir', dir.path], cleanup: async () => dir.remove() };
  },
  PostgreSQL: async () => {
    const db = await freshPostgresDatabase();
    return { env: { POSSYNC__hangfireDatabaseConnectionString: db.url }, args: [], cleanup: () => db.drop() };
  },
};
