import { syncScenario } from '../support/sync-scenario.ts';
import { postgresCoreWithMariadbShop } from '../support/databases.ts';

// At scale: the core in PostgreSQL, the shop's original `stock` table in MariaDB, reached through
// an ADO.NET connection string as the original's users have it.
syncScenario('PostgreSQL core with a MariaDB shop table', postgresCoreWithMariadbShop);
