import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openCore, type Core } from '../../src/core/open.ts';
import { DbTokenStore } from '../../src/core/token-store.ts';
import { DbRateLimitStore } from '../../src/core/rate-limit-store.ts';
import { createAdapter } from '../../src/pos/registry.ts';
import type { LightspeedConnection } from '../../src/pos/accounts.ts';
import { MemoryRateLimitStore } from '../../src/pos/rate-limit-store.ts';
import { generateSeed } from '../../src/simulators/kit/seed.ts';
import { lightspeedIds, startLightspeedSimulator } from '../../src/simulators/lightspeed/index.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

/**
 * Issue: Lightspeed's limits are the account's (per account and OAuth client), not a process's.
 * The burst limiter (20 requests per 1-second window) reports only its count, so each instance
 * keeping under 20 a second on its own let two of them send 40: measured before the fix, two
 * instances reading 4,000 items each at once got 4 429s, these three 12 (one instance alone: none).
 * Now every instance books its sends in one sliding window in the core database, and the bucket's
 * level beside it (the last test here: why mirroring the level from answers is not enough).
 * Three "instances" here are three cores (three pools) on one PostgreSQL, each with its adapter.
 */
const INSTANCES = 3;
const ITEMS = 4_000;

async function lightspeed(t: { after(fn: () => unknown): void }, options: { items?: number; switches?: Record<string, string> } = {}) {
  // A faster drip than Lightspeed's 1/s so the bucket is never what limits: the burst limiter is under test.
  const switches = options.switches ?? { dripRate: '20' };
  const sim = await startLightspeedSimulator({ seed: generateSeed({ items: options.items ?? ITEMS, locations: 1, ids: lightspeedIds, uncountedShare: 0 }), switches });
  t.after(() => sim.close());
  const c = sim.credentials() as Record<string, string> & { shopIds: string[] };
  const register = [...sim.store.registers.values()].find((r) => r.shopID === c.shopIds[0])!;
  const connection: LightspeedConnection = {
    pos: 'lightspeed', apiBaseUrl: c.apiBaseUrl!, tokenUrl: c.tokenUrl!, accountId: c.accountID!, clientId: c.clientId!, clientSecret: c.clientSecret!,
    refreshToken: c.refreshToken!, accessToken: c.accessToken!, shopId: c.shopIds[0]!, employeeId: c.employeeID!, registerId: register.registerID, paymentTypeId: '3',
  };
  const statuses = () => Object.values(sim.kit.stats.snapshot().endpoints).flatMap((e) => Object.entries(e.statuses).map(([status, n]) => ({ status, n })));
  const count = (status: string) => statuses().filter((s) => s.status === status).reduce((sum, s) => sum + s.n, 0);
  return { sim, connection, count };
}

const readAll = async (adapter: ReturnType<typeof createAdapter>) => {
  let rows = 0;
  for await (const page of adapter.readCounts()) rows += page.length;
  return rows;
};

test(`${INSTANCES} instances on one PostgreSQL read one Lightspeed account's ${ITEMS} counts at once: no 429, every row read`, { timeout: 300_000 }, async (t) => {
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  const { connection, count } = await lightspeed(t);
  const cores: Core[] = [];
  t.after(() => Promise.all(cores.map((core) => core.close())));
  for (let i = 0; i < INSTANCES; i++) cores.push(await openCore({ kind: 'postgres', connectionString: db.url }));
  const adapters = cores.map((core) => createAdapter(connection, { tokenStore: new DbTokenStore(core.sql, core.locks), rateLimits: new DbRateLimitStore(core.sql) }));

  const rows = await Promise.all(adapters.map(readAll));
  assert.deepEqual(rows, adapters.map(() => ITEMS), 'every instance read every row');
  assert.equal(count('429'), 0, 'Lightspeed refused nothing');
  assert.equal(count('200'), INSTANCES * (ITEMS / 100), 'one call per page, none repeated');
  const { rows: left } = await cores[0]!.sql.query<{ n: number }>('select count(*)::int as n from pos_sends');
  assert.ok(left[0]!.n <= 20 * 2, `the window keeps only the last second's bookings (${left[0]!.n} rows)`);
});

test('several adapters of one process calling one Lightspeed account (two shops, say) share a window in memory: no 429', { timeout: 300_000 }, async (t) => {
  const { connection, count } = await lightspeed(t);
  const rateLimits = new MemoryRateLimitStore();
  const { MemoryTokenStore } = await import('../../src/pos/token-store.ts');
  const tokenStore = new MemoryTokenStore();
  const adapters = Array.from({ length: INSTANCES }, () => createAdapter(connection, { tokenStore, rateLimits }));
  const rows = await Promise.all(adapters.map(readAll));
  assert.deepEqual(rows, adapters.map(() => ITEMS));
  assert.equal(count('429'), 0);
});

/**
 * Mirroring the level from answers keeps an instance that is calling safe, but not one that has
 * been quiet: its last reading is old, so it takes the bucket for empty and sends what it has
 * queued (a poll's page and a sale, say) before any answer tells it otherwise. Seen in the
 * three-instance test: a 429 while one instance dispatched a run of sales. A small, quick bucket
 * here: one instance fills it, then two that have never called each start two reads at once.
 */
test('instances that have been quiet do not take a bucket another instance filled for empty: no 429', { timeout: 120_000 }, async (t) => {
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  const { connection, count } = await lightspeed(t, { items: 300, switches: { bucketSize: '10', dripRate: '4' } });
  const cores: Core[] = [];
  t.after(() => Promise.all(cores.map((core) => core.close())));
  for (let i = 0; i < INSTANCES; i++) cores.push(await openCore({ kind: 'postgres', connectionString: db.url }));
  const adapters = cores.map((core) => createAdapter(connection, { tokenStore: new DbTokenStore(core.sql, core.locks), rateLimits: new DbRateLimitStore(core.sql) }));
  const [busy, ...quiet] = adapters;
  // Three reads of three pages fill the 10-drip bucket: the busy instance ends waiting on it.
  for (let i = 0; i < 3; i++) assert.equal(await readAll(busy!), 300);
  assert.equal(count('429'), 0, 'one instance alone keeps under the bucket');
  assert.deepEqual(await Promise.all(quiet.flatMap((adapter) => [readAll(adapter), readAll(adapter)])), [300, 300, 300, 300]);
  assert.equal(count('429'), 0, 'Lightspeed refused nothing');
});
