import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openCore, type Core } from '../../src/core/open.ts';
import { DbBudgetStore } from '../../src/core/budget-store.ts';
import { DbTokenStore } from '../../src/core/token-store.ts';
import { createAdapter } from '../../src/pos/registry.ts';
import type { PosAdapter } from '../../src/pos/contract.ts';
import type { PossyncConfig } from '../../src/config/types.ts';
import { ACCOUNTS, readmeConfig, startSimulators, type Simulators } from '../support/readme-setup.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

/**
 * Holes 11 and 12 of issue 14: a POS account's budgets and tokens are the account's, not the
 * process's. Three "instances" here are three cores (three connection pools) on one PostgreSQL,
 * each with its own adapters and stores, as three `possync serve` processes have.
 */
let sims: Simulators;
let db: { url: string; drop(): Promise<void> };
let config: PossyncConfig;
const cores: Core[] = [];

before(async () => {
  sims = await startSimulators();
  db = await freshPostgresDatabase();
  config = await readmeConfig(sims, { POSSYNC__hangfireDatabaseConnectionString: db.url });
  for (let i = 0; i < 3; i++) cores.push(await openCore(config.core, { accounts: config.accounts }));
});
after(async () => {
  for (const core of cores) await core.close();
  await db.drop();
  await sims.close();
});

const drain = async (iterable: AsyncIterable<unknown>) => {
  for await (const _ of iterable);
};
const account = (id: string) => config.accounts.find((a) => a.id === id)!;

test('Hiboutik: three instances spend one monthly budget, counted in the database call by call', { timeout: 300_000 }, async () => {
  const hiboutik = account(ACCOUNTS.hiboutik);
  if (hiboutik.connection.pos !== 'hiboutik') throw new Error('fixture changed');
  const connection = { ...hiboutik.connection, maximumRequests: 30, reserveForSales: 10 };
  const adapters: PosAdapter[] = [];
  for (const core of cores) {
    adapters.push(createAdapter(connection, { tokenStore: new DbTokenStore(core.sql, core.locks), budgetStore: await DbBudgetStore.open(core.sql, hiboutik.id) }));
  }
  const quota = async () => ((await (await fetch(`${sims.hiboutik.url}/__sim/quota`)).json()) as { used: number }).used;
  const stored = async () => (await cores[0]!.sql.query<{ used: number }>('select used from call_budgets where account_id = $1', [hiboutik.id])).rows[0]?.used;
  const before = await quota();

  // Polls from all three at once until every one is refused: reads may use 30 - 10 = 20 calls.
  const refused = await Promise.all(
    adapters.map(async (adapter) => {
      for (;;) {
        try {
          await drain(adapter.readCounts(['1']));
        } catch (error) {
          return (error as Error).message;
        }
      }
    }),
  );
  for (const message of refused) assert.match(message, /polling paused: 20 of 30 calls used this month/);
  assert.equal((await quota()) - before, 20, 'the POS saw 20 calls from the three instances together');
  assert.equal(await stored(), 20, "the store's count is the calls made");
});

test('Lightspeed: three instances share one token pair; an expiry makes one refresh, never a fork', { timeout: 300_000 }, async () => {
  const lightspeed = account(ACCOUNTS.lightspeed);
  if (lightspeed.connection.pos !== 'lightspeed') throw new Error('fixture changed');
  let offset = 0;
  const now = () => Date.now() + offset;
  // No access token in the config: every instance needs a refresh before its first call.
  const connection = { ...lightspeed.connection, accessToken: undefined };
  const adapters = cores.map((core) => createAdapter(connection, { tokenStore: new DbTokenStore(core.sql, core.locks), now }));
  const oauth = async () =>
    (await (await fetch(`${sims.lightspeed.url}/__sim/oauth`)).json()) as { refreshCount: number; activeRefreshTokens: number };
  const start = await oauth();
  const readAll = () => Promise.all(adapters.flatMap((adapter) => [1, 2, 3].map(() => drain(adapter.readCounts(['1', '2'])))));

  for (let round = 1; round <= 3; round++) {
    if (round > 1) offset += 2 * 3600 * 1000; // every instance now sees its token as expired
    await readAll();
    const seen = await oauth();
    assert.equal(seen.refreshCount - start.refreshCount, round, `one refresh per expiry across the instances (round ${round})`);
    assert.equal(seen.activeRefreshTokens, 1, 'one live refresh token: no fork');
  }
  const stored = await cores[2]!.sql.query('select count(*)::int as n from pos_tokens where account_id = $1', [connection.accountId]);
  assert.deepEqual(stored.rows, [{ n: 1 }]);
});
