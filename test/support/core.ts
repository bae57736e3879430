import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import type { CoreDatabaseConfig } from '../../src/config/types.ts';
import type { AccountConfig } from '../../src/pos/accounts.ts';
import { openCore, type Core, type OpenCoreOptions } from '../../src/core/open.ts';
import { migratedPgliteDir } from './pglite-template.ts';

/**
 * Helpers for the core's tests: every repository test runs on both backends, PGlite in a temp
 * folder and a fresh database on the local PostgreSQL. A missing PostgreSQL fails the tests (with
 * how to start it); it never skips them.
 */

export const PG_HOST = process.env.POSSYNC_TEST_PGHOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.POSSYNC_TEST_PGPORT ?? 5432);
const ADMIN_URL = `postgresql://postgres@${PG_HOST}:${PG_PORT}/test`;
const START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

export type Backend = CoreDatabaseConfig['kind'];
export const BACKENDS: readonly Backend[] = ['pglite', 'postgres'];

export interface TestDatabase {
  connectionString: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `the core tests need PostgreSQL on ${PG_HOST}:${PG_PORT} (user postgres, trust auth, database "test") and could not connect ` +
        `(${(error as Error).message || (error as { code?: string }).code}). Start it with: ${START_HINT}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database `possync_core_<random>`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `possync_core_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  return {
    name,
    connectionString: `postgresql://postgres@${PG_HOST}:${PG_PORT}/${name}`,
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

export function tempDir(prefix = 'possync-core-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestCore {
  core: Core;
  config: CoreDatabaseConfig;
  /** Closes (if still open) and deletes the folder or database. */
  dispose(): Promise<void>;
}

/** `fromNothing`: an empty PGlite folder (initdb and every migration now), for tests of the first start. */
export interface TestCoreChoice {
  fromNothing?: boolean;
}

export async function openTestCore(backend: Backend, options: OpenCoreOptions = {}, choice: TestCoreChoice = {}): Promise<TestCore> {
  if (backend === 'pglite') {
    const dir = choice.fromNothing ? tempDir() : await migratedPgliteDir();
    const config: CoreDatabaseConfig = { kind: 'pglite', dataDir: dir.path };
    const core = await openCore(config, options);
    return { core, config, dispose: async () => { await core.close(); dir.remove(); } };
  }
  const db = await createTestDatabase();
  const config: CoreDatabaseConfig = { kind: 'postgres', connectionString: db.connectionString };
  try {
    const core = await openCore(config, options);
    return { core, config, dispose: async () => { await core.close(); await db.drop(); } };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/**
 * Registers the same suite once per backend, sharing one opened core per backend (a fresh PGlite
 * takes seconds to initialise). `current()` gives the suite's TestCore once `before` has run.
 */
export function forEachBackend(title: string, suite: (current: () => TestCore, backend: Backend) => void, options: OpenCoreOptions = {}, choice: TestCoreChoice = {}): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      let opened: TestCore | undefined;
      before(async () => {
        opened = await openTestCore(backend, options, choice);
      });
      after(async () => {
        await opened?.dispose();
      });
      suite(() => {
        if (!opened) throw new Error('core not opened');
        return opened;
      }, backend);
    });
  }
}

export function squareAccount(id: string, name = id): AccountConfig {
  return { id, name, connection: { pos: 'square', baseUrl: 'http://127.0.0.1:1', accessToken: 'test-token', locationIds: ['L1'] } };
}
