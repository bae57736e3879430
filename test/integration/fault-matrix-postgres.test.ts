import { CORE_BACKENDS } from '../support/databases.ts';
import { faultMatrix } from '../support/fault-matrix-scenario.ts';

faultMatrix('PostgreSQL', CORE_BACKENDS.PostgreSQL!);
