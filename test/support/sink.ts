/**
 * Helpers for the sink tests and bench (not a test file itself): reaching the real servers (failing
 * with the command that starts them), the original `stock` table per dialect, and a TCP proxy that can be cut to simulate an outage.
 */
import net from 'node:net';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { SinkDatabaseConfig } from '../../src/config/types.ts';

export const MYSQL: Extract<SinkDatabaseConfig, { kind: 'mysql' }> = {
  kind: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test',
};
export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

const START_MARIADB = 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

export async function requireMariadb(): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.user, password: MYSQL.password, database: MYSQL.database, connectTimeout: 5000 });
  } catch (err) {
    throw new Error(`MariaDB is not reachable at ${MYSQL.host}:${MYSQL.port} (${(err as Error).message || (err as { code?: string }).code}); start it with: ${START_MARIADB}`);
  }
}

export async function requirePostgres(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw new Error(`PostgreSQL is not reachable at 127.0.0.1:5432 (${(err as Error).message || (err as { code?: string }).code}); start it with: ${START_POSTGRES}`);
  }
}

let counter = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
}

/**
 * The original `stock` table. Its DDL is not in the original repository; this is reconstructed
 * from EcommerceDatabase.cs (`id` is the key its ON DUPLICATE KEY UPDATE relies on and is omitted
 * on insert, so AUTO_INCREMENT; ids read back with ToString(); quantity/limit parsed as int) and the
 * README (`item_ecommerce_id` written as a bare number, hence INT here, the harder case).
 */
export const originalMysqlDdl = (name: string) => `CREATE TABLE \`${name}\` (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  idProductPOS VARCHAR(255) NOT NULL,
  idProductEcommerce INT NOT NULL,
  quantity INT NOT NULL DEFAULT 0,
  accountID VARCHAR(255) NOT NULL,
  description VARCHAR(255) NULL,
  limitQuantity INT NOT NULL DEFAULT 0
)`;

/** The same table as someone would port it to PostgreSQL: unquoted, so its names are lower-cased. */
export const originalPostgresDdl = (name: string) => `CREATE TABLE ${name} (
  id SERIAL PRIMARY KEY,
  idProductPOS VARCHAR(255) NOT NULL,
  idProductEcommerce INTEGER NOT NULL,
  quantity INTEGER NOT NULL DEFAULT 0,
  accountID VARCHAR(255) NOT NULL,
  description VARCHAR(255),
  limitQuantity INTEGER NOT NULL DEFAULT 0
)`;

/** Forwards 127.0.0.1:<port> to a server; stop() cuts every connection and refuses new ones. */
export class CuttableProxy {
  #server: net.Server | null = null;
  #sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
