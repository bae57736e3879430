import assert from 'node:assert/strict';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import { freshPostgresDatabase } from './databases.ts';
import { ACCOUNTS, pollNow, readmeConfig, startSimulators, type Simulators } from './readme-setup.ts';

export interface PossyncOnPostgres {
  sims: Simulators;
  possync: RunningPossync;
  /** Stops possync and the simulators, then drops the database. */
  close(): Promise<void>;
}

/** The simulators and possync in this process on a fresh PostgreSQL core, for a suite to share. */
export async function possyncOnPostgres(): Promise<PossyncOnPostgres> {
  const sims = await startSimulators();
  const core = await freshPostgresDatabase();
  const possync = await startPossync(await readmeConfig(sims, { POSSYNC__hangfireDatabaseConnectionString: core.url }), { log: () => {} });
  return {
    sims,
    possync,
    async close() {
      await possync.close();
      await sims.close();
      await core.drop();
    },
  };
}

export const squareVariation = (n: number) => `VARIATION${String(n).padStart(15, '0')}`;

/**
 * possyncOnPostgres with a held run of the Square account: 12 items mapped and polled, then 10 of
 * them set to 0 on the POS and polled again, which the breaker holds. `held` is that run's id.
 */
export async function withHeldSquareRun(): Promise<PossyncOnPostgres & { held: number }> {
  const running = await possyncOnPostgres();
  const { sims, possync } = running;
  for (let n = 1; n <= 12; n++) await possync.service.items.registerNow({ accountId: ACCOUNTS.square, ecommerceId: String(1000 + n), itemPosId: squareVariation(n) });
  assert.equal((await pollNow(possync.service, ACCOUNTS.square)).status, 'ok');
  for (let n = 1; n <= 10; n++) {
    await fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: squareVariation(n), quantity: 0 }) });
  }
  const run = await pollNow(possync.service, ACCOUNTS.square);
  assert.equal(run.status, 'held');
  return { ...running, held: run.id };
}
