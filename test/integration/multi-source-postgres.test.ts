import { multiSourceScenario } from '../support/multi-source-scenario.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

multiSourceScenario('PostgreSQL', async () => {
  const core = await freshPostgresDatabase();
  return { env: { POSSYNC__hangfireDatabaseConnectionString: core.url }, cleanup: () => core.drop() };
});
