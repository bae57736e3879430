import type { SinkDatabaseConfig, SinkTableConfig } from '../config/types.ts';
import { quoteIdentifier, validateTableConfig } from './identifiers.ts';
import { mysqlCreateTableSql } from './mysql.ts';
import { createTableSql } from './pg-writer.ts';

/**
 * The exact statements that create the configured shop table in its database's dialect: what
 * `possync migrate --sink` runs and what `check-config --connect` prints when the table is missing.
 */
export function shopTableDdl(sink: SinkDatabaseConfig, table: SinkTableConfig): string {
  if (sink.kind === 'mysql') return `${mysqlCreateTableSql(table)};`;
  const parsed = validateTableConfig(table);
  const qualified = (parsed.schema ? `${quoteIdentifier(parsed.schema, 'postgres')}.` : '') + quoteIdentifier(parsed.name, 'postgres');
  return createTableSql(qualified, parsed.name, table.columns).map((s) => `${s};`).join('\n');
}
