import type { SinkTableConfig } from '../config/types.ts';
import type { SqlClient } from '../core/sql.ts';
import type { Sink } from './sink.ts';
import { openPgSink } from './pg-writer.ts';
import type { SinkOptions } from './common.ts';

/** The zero-setup sink: a table inside possync's own core database, created when missing. The
 *  core's client is shared, so close() leaves it open. */
export function openEmbeddedSink(core: SqlClient, table: SinkTableConfig, options?: SinkOptions): Promise<Sink> {
  return openPgSink({
    client: core,
    table,
    target: 'embedded core database',
    ownsClient: false,
    options: { ...options, createIfMissing: options?.createIfMissing ?? true },
  });
}
