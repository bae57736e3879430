import { salesScenario } from '../support/sales-scenario.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

salesScenario('PostgreSQL', async () => {
  const core = await freshPostgresDatabase();
  return { env: { POSSYNC__hangfireDatabaseConnectionString: core.url }, args: [], cleanup: () => core.drop() };
});
