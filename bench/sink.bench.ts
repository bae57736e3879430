/**
 * Sink write throughput per dialect: 10,000 changed quantities, then the same 10,000 again
 * (nothing to change). Run: node --import tsx bench/sink.bench.ts
 * Needs MariaDB and PostgreSQL on 127.0.0.1 (as the sink tests do); embedded uses a throw-away
 * PGlite core folder. Tables: the original `stock` shape with an INT id column and no index on
 * it (as a shop's table may well be), and the same with an index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SINK_TABLE, type SinkDatabaseConfig } from '../src/config/types.ts';
import type { SqlClient } from '../src/core/sql.ts';
import { openCore } from '../src/core/open.ts';
import { openSink } from '../src/sink/open.ts';
import { MYSQL, PG_URL, originalMysqlDdl, originalPostgresDdl, requireMariadb, requirePostgres, uniqueName } from '../test/support/sink.ts';

const N = 10_000;
type Exec = (sql: string) => Promise<unknown>;

async function run(label: string, config: SinkDatabaseConfig, exec: Exec, ddl: (n: string) => string, core?: SqlClient): Promise<void> {
  for (const indexed of [false, true]) {
    const name = uniqueName('bench_stock');
    await exec(ddl(name));
    if (indexed) await exec(`CREATE INDEX ${name}_e ON ${name} (idProductEcommerce)`);
    const values = Array.from({ length: N }, (_, i) => `('p${i + 1}', ${i + 1}, 0, 'acc', 'item', 0)`);
    await exec(`INSERT INTO ${name} (idProductPOS, idProductEcommerce, quantity, accountID, description, limitQuantity) VALUES ${values.join(',')}`);
    const sink = await openSink(config, { ...DEFAULT_SINK_TABLE, name }, { core });
    try {
      const rows = Array.from({ length: N }, (_, i) => ({ ecommerceId: String(i + 1), quantity: (i % 50) + 1 }));
      for (const pass of ['changed', 'unchanged'] as const) {
        const t0 = performance.now();
        const { changed } = await sink.writeQuantities(rows);
        const ms = performance.now() - t0;
        const expected = pass === 'changed' ? N : 0;
        if (changed !== expected) throw new Error(`${label}: expected ${expected} changed, got ${changed}`);
        console.log(`${label.padEnd(10)} ${(indexed ? 'indexed' : 'no index').padEnd(9)} ${pass.padEnd(10)} ${String(N).padStart(6)} rows ${ms.toFixed(0).padStart(6)} ms ${Math.round((N / ms) * 1000).toLocaleString('en-US').padStart(9)} rows/s`);
      }
    } finally {
      await sink.close();
      await exec(`DROP TABLE ${name}`);
    }
  }
}

const maria = await requireMariadb();
await run('mariadb', MYSQL, (sql) => maria.query(sql), originalMysqlDdl);
await maria.end();

const pgc = await requirePostgres();
await run('postgres', { kind: 'postgres', connectionString: PG_URL }, (sql) => pgc.query(sql), originalPostgresDdl);
await pgc.end();

const dataDir = mkdtempSync(join(tmpdir(), 'possync-sink-bench-'));
const core = await openCore({ kind: 'pglite', dataDir });
try {
  await run('embedded', { kind: 'embedded' }, (sql) => core.sql.query(sql), originalPostgresDdl, core.sql);
} finally {
  await core.close();
  rmSync(dataDir, { recursive: true, force: true });
}
