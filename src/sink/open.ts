import type { SinkDatabaseConfig, SinkTableConfig } from '../config/types.ts';
import type { SqlClient } from '../core/sql.ts';
import type { Sink } from './sink.ts';
import { SinkError, type SinkOptions } from './common.ts';
import { openEmbeddedSink } from './embedded.ts';
import { openPostgresSink } from './postgres.ts';
import { openMysqlSink } from './mysql.ts';

export { SinkError, type SinkOptions } from './common.ts';
export { SinkConfigError } from './identifiers.ts';

/**
 * Opens the shop-database writer. The embedded table is created when missing; an external shop
 * table is only checked (table and configured columns exist) unless `createIfMissing` is set.
 */
export async function openSink(
  config: SinkDatabaseConfig,
  table: SinkTableConfig,
  deps: { core?: SqlClient },
  options?: SinkOptions,
): Promise<Sink> {
  switch (config.kind) {
    case 'embedded':
      if (!deps.core) throw new SinkError('the embedded sink needs the core database client (deps.core)');
      return openEmbeddedSink(deps.core, table, options);
    case 'postgres':
      return openPostgresSink(config.connectionString, table, options);
    case 'mysql':
      return openMysqlSink(config, table, options);
  }
}
