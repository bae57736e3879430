import { heldRunsScenario } from '../support/held-runs-scenario.ts';
import { freshMariadbStockTable, freshPostgresDatabase } from '../support/databases.ts';

// The core in PostgreSQL, the shop's original `stock` table in MariaDB: a held run must leave the
// MariaDB rows alone, and apply / revert must reach them.
heldRunsScenario('PostgreSQL core with a MariaDB shop table', async () => {
  const core = await freshPostgresDatabase();
  const shop = await freshMariadbStockTable();
  return {
    env: {
      POSSYNC__hangfireDatabaseConnectionString: core.url,
      POSSYNC__ecommerceDatabaseConnectionString: 'Server=127.0.0.1;Port=3306;Database=test;Uid=root;Pwd=;',
      POSSYNC__EcommerceTable__Name: shop.table,
    },
    cleanup: async () => {
      await shop.drop();
      await core.drop();
    },
  };
});
