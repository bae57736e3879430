import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfigCommand } from './check-config.ts';
import { migrateCommand } from './migrate.ts';
import { startSquareSimulator } from '../simulators/square/index.ts';
import { requireMariadb } from '../../test/support/sink.ts';
import { freshPostgresDatabase } from '../../test/support/databases.ts';

/**
 * `check-config --connect` against real servers: PostgreSQL for the core, MariaDB for the shop
 * table, the Square simulator for the POS. Each failure is reported by name, with its reason.
 */
async function run(command: typeof checkConfigCommand, args: string[]) {
  const lines: string[] = [];
  const code = await command(args, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

test('check-config --connect names a wrong password, a missing table and a refused POS token; migrate --sink creates the table', { timeout: 300_000 }, async (t) => {
  const db = await requireMariadb();
  const core = await freshPostgresDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'possync-connect-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const square = await startSquareSimulator({ switches: { validate: 'off' } });
  t.after(() => square.close());
  const creds = (await (await fetch(`${square.url}/__sim/credentials`)).json()) as { accessToken: string; locationIds: string[] };
  const table = `stock_${randomBytes(4).toString('hex')}`;
  t.after(async () => {
    await db.query(`DROP TABLE IF EXISTS \`${table}\``);
    await db.end();
    await core.drop();
  });

  const write = async (name: string, settings: { pwd: string; token: string }) => {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify({
      hangfireDatabaseConnectionString: core.url,
      ecommerceDatabaseConnectionString: `Server=127.0.0.1;Port=3306;Database=test;Uid=root;Pwd=${settings.pwd};`,
      EcommerceTable: { Name: table },
      PosAccess: { PosConfigurations: [{ Type: '1', AccessToken: settings.token, LocationID: creds.locationIds[0], BaseUrl: square.url }] },
    }));
    return file;
  };

  // Wrong password (root has none) and a refused token: both named, exit 1, no secret printed.
  const bad = await run(checkConfigCommand, ['--config', await write('bad.json', { pwd: 'wrong-password-123', token: 'refused-token-0123456789' }), '--connect']);
  assert.equal(bad.code, 1, bad.text);
  assert.match(bad.text, /^ok: core database: PostgreSQL/m);
  assert.match(bad.text, /^failed: shop table: .*(Access denied|ER_ACCESS_DENIED)/m);
  assert.match(bad.text, /^failed: account \S+ \(square\): .*(401|UNAUTHORIZED|unauthori)/im);
  assert.doesNotMatch(bad.text, /wrong-password-123|refused-token-0123456789/);

  // Right password, valid token, but no table: the exact CREATE TABLE to run.
  const good = await write('good.json', { pwd: '', token: creds.accessToken });
  const missing = await run(checkConfigCommand, ['--config', good, '--connect']);
  assert.equal(missing.code, 1, missing.text);
  assert.match(missing.text, new RegExp(`^failed: shop table: .*table ${table} does not exist`, 'm'));
  assert.match(missing.text, new RegExp(`CREATE TABLE IF NOT EXISTS \`${table}\``));
  assert.match(missing.text, /^ok: account \S+ \(square\)/m);

  // migrate --sink creates it (the statement printed above), then check-config is all ok.
  const migrated = await run(migrateCommand, ['--config', good, '--sink']);
  assert.equal(migrated.code, 0, migrated.text);
  assert.match(migrated.text, /created/);
  const [columns] = await db.query(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = ?`, [table]);
  assert.deepEqual((columns as Array<{ c: string }>).map((r) => r.c).sort(), ['accountID', 'description', 'id', 'idProductEcommerce', 'idProductPOS', 'limitQuantity', 'quantity'].sort());
  const again = await run(migrateCommand, ['--config', good, '--sink']);
  assert.match(again.text, /exists \(left as it is\)/);
  const ok = await run(checkConfigCommand, ['--config', good, '--connect']);
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /everything answered/);
});
