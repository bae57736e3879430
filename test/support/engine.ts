import { createJobsPort } from '../../src/jobs/port.ts';
import type { JobsPort } from '../../src/engine/jobs-port.ts';
import type { PgBoss } from 'pg-boss';
import type { PossyncConfig } from '../../src/config/types.ts';
import { openCore, type Core } from '../../src/core/open.ts';
import { DbTokenStore } from '../../src/core/token-store.ts';
import { reservedSince } from '../../src/core/sales/ledger.ts';
import { openSink } from '../../src/sink/open.ts';
import { createAdapter } from '../../src/pos/registry.ts';
import type { AdapterDeps } from '../../src/pos/deps.ts';
import { startBoss } from '../../src/jobs/boss.ts';
import { AccountSet } from '../../src/engine/accounts.ts';
import { SaleIntake } from '../../src/engine/sales/intake.ts';
import type { SyncContext } from '../../src/engine/sync.ts';

/**
 * The engine's parts as main.ts wires them, without job workers or HTTP: a test drives dispatch
 * itself (two dispatchers at once, say) against the real core, queue and simulators.
 */
export interface EngineRig {
  core: Core;
  boss: PgBoss;
  jobs: JobsPort;
  accounts: AccountSet;
  context: SyncContext;
  intake: SaleIntake;
  close(): Promise<void>;
}

export async function openEngineRig(config: PossyncConfig, adapterDeps: Partial<AdapterDeps> = {}): Promise<EngineRig> {
  const core = await openCore(config.core, { accounts: config.accounts });
  const sink = await openSink(config.sink, config.sinkTable, { core: core.sql });
  const tokenStore = new DbTokenStore(core.sql, core.locks);
  const accounts = new AccountSet(config.accounts.map((account) => ({ config: account, adapter: createAdapter(account.connection, { ...adapterDeps, tokenStore }) })));
  const boss = await startBoss(core, () => {});
  const context: SyncContext = { core, sink, reserved: reservedSince };
  const jobs = createJobsPort(core, boss);
  const intake = new SaleIntake(core, jobs, () => {});
  return {
    core,
    boss,
    jobs,
    accounts,
    context,
    intake,
    async close() {
      await boss.stop({ graceful: false, timeout: 2_000 });
      await sink.close();
      await core.close();
    },
  };
}
