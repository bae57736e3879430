import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, describeConfig, loadConfig, parseConfig } from './index.ts';
import { pollIntervalSeconds } from './schedule.ts';
import { maxItemAge } from '../engine/freshness.ts';
import { configFromFlags } from '../cli/serve.ts';

const SQUARE = { Type: '1', AccessToken: 'sq0atp-token-long-enough', LocationID: 'L1' };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('Logging.LogLevel.Default sets the level (ASP.NET names), from the file and the environment alike', () => {
  assert.equal(parseConfig({}).logging.level, 'info');
  assert.equal(parseConfig({ Logging: { LogLevel: { Default: 'Warning', Microsoft: 'Error' }, Console: { LogLevel: { Default: 'Trace' } } } }).logging.level, 'warn');
  assert.equal(parseConfig({}, { POSSYNC__Logging__LogLevel__Default: 'Debug' }).logging.level, 'debug');
  assert.deepEqual(problems(() => parseConfig({ Logging: { LogLevel: { Default: 'Loud' } } })), [
    'Logging.LogLevel.Default must be Trace, Debug, Information, Warning, Error, Critical or None (or trace, debug, info, warn, error, fatal, silent) (got "Loud")',
  ]);
  assert.equal(problems(() => parseConfig({}, { POSSYNC__Logging__LogLevel__Default: 'Loud' })).length, 1);
});

test('MaxItemAgeSeconds per account and under Synchronizer: whole seconds ≥ 1, from the file and the environment alike', () => {
  const config = parseConfig({ Synchronizer: { MaxItemAgeSeconds: 900 }, PosAccess: { PosConfigurations: [{ ...SQUARE, MaxItemAgeSeconds: '60' }] } });
  assert.equal(config.schedule.maxItemAgeSeconds, 900);
  assert.equal(config.accounts[0]!.maxItemAgeSeconds, 60);
  const fromEnv = parseConfig({ PosAccess: { PosConfigurations: [SQUARE] } }, { POSSYNC__PosAccess__PosConfigurations__0__MaxItemAgeSeconds: '120' });
  assert.equal(fromEnv.accounts[0]!.maxItemAgeSeconds, 120);
  assert.equal(fromEnv.schedule.maxItemAgeSeconds, null);
  assert.deepEqual(problems(() => parseConfig({ Synchronizer: { MaxItemAgeSeconds: 0 } })), ['Synchronizer.MaxItemAgeSeconds must be a whole number of at least 1 (got "0")']);
  assert.deepEqual(
    problems(() => parseConfig({ PosAccess: { PosConfigurations: [SQUARE] } }, { POSSYNC__PosAccess__PosConfigurations__0__MaxItemAgeSeconds: 'soon' })),
    ['PosAccess.PosConfigurations[0].MaxItemAgeSeconds must be a whole number of at least 1 (got "soon")'],
  );
});

test('the default maximum age is twice the poll interval of the schedule in force, derived from its cron', () => {
  assert.equal(pollIntervalSeconds('*/5 * * * *'), 300);
  assert.equal(pollIntervalSeconds('* * * * *'), 60);
  assert.equal(pollIntervalSeconds('0 */2 * * *'), 7200);
  // Weekdays 11:00–13:59: the longest gap is the weekend, Friday 13:59 → Monday 11:00.
  assert.equal(pollIntervalSeconds('* 11,12,13 * * 1,2,3,4,5', 'Europe/Brussels'), (2 * 24 + 21) * 3600 + 60);
  const schedule = { cron: '*/5 * * * *', timeZone: 'UTC' };
  assert.deepEqual(maxItemAge({}, { maxItemAgeSeconds: null }, schedule), { seconds: 600, source: 'schedule' });
  assert.deepEqual(maxItemAge({}, { maxItemAgeSeconds: 900 }, schedule), { seconds: 900, source: 'config' });
  assert.deepEqual(maxItemAge({ maxItemAgeSeconds: 30 }, { maxItemAgeSeconds: 900 }, schedule), { seconds: 30, source: 'account' });
});

test('--log-level and --data-dir pass the same checks as their keys, and warnings name the folder actually used', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'possync-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'appsettings.json');
  await writeFile(file, JSON.stringify({ hangfireDatabaseConnectionString: 'Server=localhost\\SQLEXPRESS;Database=master;Trusted_Connection=True;' }));
  const lines: string[] = [];
  const config = await configFromFlags({ config: file, 'data-dir': join(dir, 'elsewhere'), 'log-level': 'Warning' }, (l) => lines.push(l));
  assert.ok(config);
  assert.equal(config.logging.level, 'warn');
  assert.equal(config.core.kind === 'pglite' && config.core.dataDir, join(dir, 'elsewhere'));
  assert.ok(config.warnings.some((w) => w.includes(join(dir, 'elsewhere'))), config.warnings.join('\n'));
  assert.ok(!config.warnings.some((w) => w.includes('.possync/data')), config.warnings.join('\n'));
  const refused = await configFromFlags({ config: file, 'log-level': 'loud' }, (l) => lines.push(l));
  assert.equal(refused, null);
  assert.ok(lines.some((l) => l.includes('Logging.LogLevel.Default must be')), lines.join('\n'));
  assert.ok((await loadConfig({ file, overrides: [{ path: ['Logging', 'LogLevel', 'Default'], value: 'Error', from: '--log-level' }] })).logging.level === 'error');
});

test('Jobs.HeartbeatSeconds and Jobs.DispatchLeaseSeconds: bounded whole seconds from the file, the environment or an override alike, shown by check-config', async () => {
  assert.deepEqual(parseConfig({}).jobs, { heartbeatSeconds: 30, dispatchLeaseSeconds: 60 });
  assert.deepEqual(parseConfig({ Jobs: { HeartbeatSeconds: 12, DispatchLeaseSeconds: '20' } }).jobs, { heartbeatSeconds: 12, dispatchLeaseSeconds: 20 });
  assert.deepEqual(parseConfig({ Jobs: { HeartbeatSeconds: 12 } }, { POSSYNC__Jobs__HeartbeatSeconds: '10', POSSYNC__Jobs__DispatchLeaseSeconds: '5' }).jobs, { heartbeatSeconds: 10, dispatchLeaseSeconds: 5 });
  // pg-boss refuses heartbeats under 10 s; a lease under 5 s would renew more than once a second.
  assert.deepEqual(problems(() => parseConfig({ Jobs: { HeartbeatSeconds: 9, DispatchLeaseSeconds: 3601 } })), [
    'Jobs.HeartbeatSeconds must be a whole number from 10 to 3600 (got "9")',
    'Jobs.DispatchLeaseSeconds must be a whole number from 5 to 3600 (got "3601")',
  ]);
  assert.deepEqual(problems(() => parseConfig({}, { POSSYNC__Jobs__DispatchLeaseSeconds: '4.5' })), ['Jobs.DispatchLeaseSeconds must be a whole number from 5 to 3600 (got "4.5")']);
  assert.ok(parseConfig({ Jobs: { LeaseSeconds: 5 } }).warnings.some((w) => w.startsWith('Jobs.LeaseSeconds is not a known key')), 'an unknown Jobs key is named');
  const override = (value: string) => loadConfig({ cwd: '/nonexistent', env: {}, overrides: [{ path: ['Jobs', 'HeartbeatSeconds'], value, from: '--heartbeat' }] });
  await assert.rejects(override('2'), (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.startsWith('Jobs.HeartbeatSeconds must be a whole number from 10 to 3600')));
  const lines = describeConfig(parseConfig({ Jobs: { HeartbeatSeconds: 15, DispatchLeaseSeconds: 45 } }));
  assert.ok(lines.some((l) => l.startsWith('jobs:') && l.includes('15 s after its last heartbeat') && l.includes('45 s after its last lease renewal')), lines.join('\n'));
});

test("the shop table's SKU and barcode columns: the same checks from the file, the environment and the flags", async (t) => {
  const table = (json: unknown, env: Record<string, string> = {}) => parseConfig(json, env).sinkTable;
  assert.equal(table({}).keyColumns, undefined, 'none by default');
  assert.deepEqual(table({ EcommerceTable: { Columns: { Sku: 'reference', Barcode: 'ean13' } } }).keyColumns, { sku: 'reference', barcode: 'ean13' });
  assert.deepEqual(table({}, { POSSYNC__EcommerceTable__Columns__Barcode: 'ean13' }).keyColumns, { barcode: 'ean13' });
  const bad = 'ean; drop table stock';
  const fromFile = problems(() => parseConfig({ EcommerceTable: { Columns: { Barcode: bad } } }));
  const fromEnv = problems(() => parseConfig({}, { POSSYNC__EcommerceTable__Columns__Barcode: bad }));
  assert.deepEqual(fromFile, ['EcommerceTable.Columns.Barcode must be a column name (letters, digits, _), got "ean; drop table stock"']);
  assert.deepEqual(fromEnv, fromFile);
  assert.deepEqual(problems(() => parseConfig({ EcommerceTable: { Columns: { Sku: 'quantity' } } })), ['EcommerceTable.Columns.Sku uses the same column "quantity" as Quantity']);

  const dir = await mkdtemp(join(tmpdir(), 'possync-keycols-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'appsettings.json');
  await writeFile(file, '{}');
  const lines: string[] = [];
  assert.equal(await configFromFlags({ config: file, 'shop-barcode-column': bad }, (l) => lines.push(l)), null);
  assert.ok(lines.includes(`  ${fromFile[0]}`), lines.join('\n'));
  const config = await configFromFlags({ config: file, 'shop-sku-column': 'reference' }, () => {});
  assert.deepEqual(config?.sinkTable.keyColumns, { sku: 'reference' });
});

test('Sales.Routing and Sales.SourcePriority: from the file and the environment alike, checked the same way', () => {
  const accounts = { PosAccess: { PosConfigurations: [{ ...SQUARE, AccountID: 'store' }, { ...SQUARE, AccountID: 'warehouse', LocationID: 'L2' }] } };
  assert.deepEqual(parseConfig(accounts).sales, { routing: 'most-available', sourcePriority: [] });
  assert.deepEqual(parseConfig({ ...accounts, Sales: { Routing: 'priority', SourcePriority: ['warehouse', 'store'] } }).sales, { routing: 'priority', sourcePriority: ['warehouse', 'store'] });
  assert.deepEqual(parseConfig(accounts, { POSSYNC__Sales__Routing: 'priority', POSSYNC__Sales__SourcePriority: 'warehouse,store' }).sales, { routing: 'priority', sourcePriority: ['warehouse', 'store'] });
  assert.deepEqual(problems(() => parseConfig({ ...accounts, Sales: { Routing: 'cheapest' } })), ['Sales.Routing must be most-available or priority (got "cheapest")']);
  assert.deepEqual(problems(() => parseConfig(accounts, { POSSYNC__Sales__Routing: 'cheapest' })), ['Sales.Routing must be most-available or priority (got "cheapest")']);
  assert.deepEqual(problems(() => parseConfig({ ...accounts, Sales: { Routing: 'priority', SourcePriority: ['attic'] } })), [
    'Sales.SourcePriority[0] is not the AccountID of a configured account (got "attic")',
  ]);
});
