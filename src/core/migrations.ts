import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { CoreSql } from './core-sql.ts';

/**
 * Versioned migrations: `migrations/NNN_name.sql`, applied in order at start, each in its own
 * transaction and recorded in schema_migrations. A transaction-scoped advisory lock serialises
 * instances starting together on one PostgreSQL; the second one finds the work done.
 */

export interface Migration {
  version: number;
  name: string;
  script: string;
  checksum: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** Arbitrary, fixed: every possync instance must use the same key. */
const MIGRATION_LOCK_KEY = 727_001_001;

export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(fileURLToPath(dir)).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} is not named NNN_name.sql`);
    const script = readFileSync(new URL(file, dir), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      script,
      checksum: createHash('sha256').update(script).digest('hex'),
    });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations must be numbered 001, 002, ... without gaps; found ${migration.version} at position ${index + 1}`);
  });
  return migrations;
}

export interface MigrateResult {
  /** Versions this call applied (empty when the schema was current). */
  applied: number[];
  version: number;
}

const CREATE_TABLE = `
  create table if not exists schema_migrations (
    version     integer primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now()
  )`;

export async function migrate(sql: CoreSql, migrations: Migration[] = loadMigrations()): Promise<MigrateResult> {
  const newest = migrations.length;
  await sql.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(CREATE_TABLE);
    const { rows } = await tx.query<{ version: number }>('select max(version) as version from schema_migrations');
    const current = rows[0]?.version ?? 0;
    if (current > newest) {
      throw new Error(`the core database is at schema version ${current}, newer than this possync knows (${newest}); upgrade possync`);
    }
  });

  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await sql.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const { rows } = await tx.query('select 1 from schema_migrations where version = $1', [migration.version]);
      if (rows.length > 0) return false;
      try {
        await tx.exec(migration.script);
      } catch (error) {
        throw new Error(`migration ${migrationLabel(migration)} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return { applied, version: newest };
}

function migrationLabel(migration: Migration): string {
  return `${String(migration.version).padStart(3, '0')}_${migration.name}`;
}
