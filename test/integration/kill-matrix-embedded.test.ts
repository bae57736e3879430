import { CORE_BACKENDS } from '../support/databases.ts';
import { killMatrix } from '../support/kill-matrix-scenario.ts';

killMatrix('embedded PGlite', CORE_BACKENDS['embedded PGlite']!);
