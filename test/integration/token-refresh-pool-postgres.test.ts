import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openCore } from '../../src/core/open.ts';
import { DbTokenStore } from '../../src/core/token-store.ts';
import { registerMapping } from '../../src/core/mappings.ts';
import { reservedSince } from '../../src/core/sales/ledger.ts';
import { DEFAULT_SINK_TABLE } from '../../src/config/types.ts';
import { AccountSet } from '../../src/engine/accounts.ts';
import { pollAccount, type SyncContext } from '../../src/engine/sync.ts';
import { openSink } from '../../src/sink/open.ts';
import { startRig, type LsRig } from '../support/lightspeed-adapter.ts';
import { generateSeed } from '../../src/simulators/kit/seed.ts';
import { lightspeedIds } from '../../src/simulators/lightspeed/index.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

/**
 * The core's query pool against its per-account locks, on real PostgreSQL. A poll holds its
 * account's poll lock (a session advisory lock) for its whole run, and a Lightspeed refresh holds
 * the token lock across the HTTP call to the token endpoint, while both still need connections for
 * their queries (the run record, the token load and save). When those locks took connections from
 * the query pool, more accounts polling and refreshing at once than the pool had connections left
 * every query waiting for a connection only a lock holder could give back: each poll failed with
 * "timeout exceeded when trying to connect". Locks now have connections of their own.
 */
const POOL = 3;
const ACCOUNTS = POOL + 3;

test(`${ACCOUNTS} Lightspeed accounts polled at once, each refreshing its token while the token endpoint is slow, all finish on a core pool of ${POOL} connections`, { timeout: 300_000 }, async (t) => {
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  const rigs: LsRig[] = [];
  t.after(() => Promise.all(rigs.map((rig) => rig.close())));
  for (let i = 0; i < ACCOUNTS; i++) {
    const seed = { ...generateSeed({ items: 5, locations: 1, ids: lightspeedIds }), credentials: { accountID: String(1000 + i) } };
    // No access token in the config: the first call refreshes.
    rigs.push(await startRig({ seed, connection: { accessToken: undefined } }));
  }
  const configs = rigs.map((rig, i) => ({ id: `ls-${i}`, name: `Lightspeed ${i}`, connection: rig.connection }));
  // A short connection wait, so a starved pool fails the test quickly instead of hanging it.
  const core = await openCore({ kind: 'postgres', connectionString: db.url }, { accounts: configs, postgres: { max: POOL, connectionTimeoutMillis: 5_000 } });
  t.after(() => core.close());
  const sink = await openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core: core.sql });
  const tokenStore = new DbTokenStore(core.sql, core.locks);
  const accounts = new AccountSet(configs.map((config, i) => ({ config, adapter: rigs[i]!.newAdapter({}, tokenStore) })));
  const context: SyncContext = { core, sink, reserved: reservedSince };
  for (const config of configs) await registerMapping(core.sql, { ecommerceId: `${config.id}-item`, accountId: config.id, posItemId: '1' });
  // Every token request is held long enough that the refreshes overlap.
  for (const rig of rigs) rig.sim.kit.faults.add({ endpoint: 'POST /auth/oauth/token', kind: 'latency', latencyMs: 1_000, count: 1 });

  const runs = await Promise.allSettled(configs.map((config) => pollAccount(context, accounts.get(config.id)!, 'manual')));
  const problems = runs.flatMap((run, i) =>
    run.status === 'rejected' ? [`${configs[i]!.id}: ${(run.reason as Error).message}`] : run.value?.status === 'ok' ? [] : [`${configs[i]!.id}: run ${run.value?.status}: ${run.value?.error ?? ''}`],
  );
  assert.deepEqual(problems, [], 'every poll finished');
  for (const [i, rig] of rigs.entries()) {
    assert.equal((rig.sim.credentials() as { refreshCount: number }).refreshCount, 1, `account ${i} refreshed once`);
    assert.ok(await tokenStore.load(rig.connection.accountId), `account ${i}'s rotated token was stored`);
  }
});
