import { salesScenario } from './sales.scenario.ts';
import { freshPostgresDatabase } from './databases.ts';

salesScenario('PostgreSQL', async () => {
  const core = await freshPostgresDatabase();
  return { env: { POSSYNC__hangfireDatabaseConnectionString: core.url }, args: [], cleanup: () => core.drop() };
});
