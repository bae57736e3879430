/**
 * The one SQL surface the core uses, over PGlite (embedded) or node-postgres (PostgreSQL).
 * PostgreSQL dialect only; parameters are $1, $2, ...
 */
export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}

export interface SqlClient extends SqlQueryable {
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
