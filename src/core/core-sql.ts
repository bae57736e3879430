import type { SqlClient, SqlQueryable } from './sql.ts';

/**
 * What the core's two drivers offer beyond SqlClient: running a multi-statement script (the
 * migrations). Parameterised queries allow one statement only, on both drivers.
 */
export interface CoreTx extends SqlQueryable {
  exec(script: string): Promise<void>;
}

export interface CoreSql extends SqlClient {
  exec(script: string): Promise<void>;
  transaction<T>(fn: (tx: CoreTx) => Promise<T>): Promise<T>;
}
