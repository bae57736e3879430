import { multiSourceScenario } from './multi-source.scenario.ts';
import { freshPostgresDatabase } from './databases.ts';

multiSourceScenario('PostgreSQL', async () => {
  const core = await freshPostgresDatabase();
  return { env: { POSSYNC__hangfireDatabaseConnectionString: core.url }, cleanup: () => core.drop() };
});
