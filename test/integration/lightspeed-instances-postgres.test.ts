import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openCore, type Core } from '../../src/core/open.ts';
import { DbTokenStore } from '../../src/core/token-store.ts';
import { DbSendWindowStore } from '../../src/core/send-window-store.ts';
import { createAdapter } from '../../src/pos/registry.ts';
import type { LightspeedConnection } from '../../src/pos/accounts.ts';
import { MemorySendWindowStore } from '../../src/pos/send-window.ts';
import { generateSeed } from '../../src/simulators/kit/seed.ts';
import { lightspeedIds, startLightspeedSimulator } from '../../src/simulators/lightspeed/index.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

/**
 * Issue: Lightspeed's limits are the account's (per account and OAuth client), not a process's.
 * Each instance mirrors the bucket level Lightspeed reports on every answer, which keeps the
 * bucket itself safe; but the burst limiter (20 requests per 1-second window) reports only its
 * count, so each instance keeping under 20 a second on its own let two of them send 40: measured
 * before the fix, two instances reading 4,000 items each at once got 4 429s, these three 12 (one
 * instance alone: none; with the burst limiter off: none, so the mirrored bucket level suffices).
 * Now every instance books its sends in one sliding window in the core database.
 * Three "instances" here are three cores (three pools) on one PostgreSQL, each with its adapter.
 */
const INSTANCES = 3;
const ITEMS = 4_000;

async function lightspeed(t: { after(fn: () => unknown): void }) {
  // A faster drip than Lightspeed's 1/s so the bucket is never what limits: the burst limiter is under test.
  const sim = await startLightspeedSimulator({ seed: generateSeed({ items: ITEMS, locations: 1, ids: lightspeedIds, uncountedShare: 0 }), switches: { dripRate: '20' } });
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
  const adapters = cores.map((core) => createAdapter(connection, { tokenStore: new DbTokenStore(core.sql, core.locks), sendWindow: new DbSendWindowStore(core.sql) }));

  const rows = await Promise.all(adapters.map(readAll));
  assert.deepEqual(rows, adapters.map(() => ITEMS), 'every instance read every row');
  assert.equal(count('429'), 0, 'Lightspeed refused nothing');
  assert.equal(count('200'), INSTANCES * (ITEMS / 100), 'one call per page, none repeated');
  const { rows: left } = await cores[0]!.sql.query<{ n: number }>('select count(*)::int as n from pos_sends');
  assert.ok(left[0]!.n <= 20 * 2, `the window keeps only the last second's bookings (${left[0]!.n} rows)`);
});

test('several adapters of one process calling one Lightspeed account (two shops, say) share a window in memory: no 429', { timeout: 300_000 }, async (t) => {
  const { connection, count } = await lightspeed(t);
  const sendWindow = new MemorySendWindowStore();
  const { MemoryTokenStore } = await import('../../src/pos/token-store.ts');
  const tokenStore = new MemoryTokenStore();
  const adapters = Array.from({ length: INSTANCES }, () => createAdapter(connection, { tokenStore, sendWindow }));
  const rows = await Promise.all(adapters.map(readAll));
  assert.deepEqual(rows, adapters.map(() => ITEMS));
  assert.equal(count('429'), 0);
});
