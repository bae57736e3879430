import { syncScenario } from '../support/sync-scenario.ts';
import { freshMariadbStockTable, freshPostgresDatabase } from '../support/databases.ts';

// At scale: the core in PostgreSQL, the shop's original `stock` table in MariaDB, reached through
// an ADO.NET connection string as the original's users have it.
syncScenario('PostgreSQL core with a MariaDB shop table', async () => {
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
