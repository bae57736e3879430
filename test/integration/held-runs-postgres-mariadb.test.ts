import { heldRunsScenario } from '../support/held-runs-scenario.ts';
import { postgresCoreWithMariadbShop } from '../support/databases.ts';

// The core in PostgreSQL, the shop's original `stock` table in MariaDB: a held run must leave the
// MariaDB rows alone, and apply / revert must reach them.
heldRunsScenario('PostgreSQL core with a MariaDB shop table', postgresCoreWithMariadbShop);
