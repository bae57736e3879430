import { parseArgs } from 'node:util';
import { openCore } from '../core/open.ts';
import { openSink, SinkError } from '../sink/open.ts';
import { shopTableDdl } from '../sink/ddl.ts';
import { SERVE_OPTIONS, configFromFlags } from './serve.ts';

export const MIGRATE_USAGE = `Usage: possync migrate [--config FILE] [--data-dir DIR] [--sink]

Creates or upgrades possync's own database (embedded or PostgreSQL) and exits. The service also
migrates at start; this is for deployments that do it as a separate step.

Options:
  --sink             also create the shop table (EcommerceTable) when it does not exist; an
                     existing table is never altered (its columns are only checked)
`;

export async function migrateCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { ...SERVE_OPTIONS, sink: { type: 'boolean' } } });
  if (values.help) {
    out(MIGRATE_USAGE);
    return 0;
  }
  const config = await configFromFlags(values, out);
  if (!config) return 1;
  const core = await openCore(config.core, { accounts: config.accounts, onNotice: out });
  try {
    const { applied } = core.migrations;
    out(`${core.describe()}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`);
    if (values.sink) {
      const existing = await openSink(config.sink, config.sinkTable, { core: core.sql }, { createIfMissing: false }).catch((error: unknown) => {
        if (error instanceof SinkError && /does not exist/.test(error.message)) return null;
        throw error;
      });
      if (existing) {
        out(`shop table: ${existing.describe()} exists (left as it is)`);
        await existing.close();
      } else {
        const created = await openSink(config.sink, config.sinkTable, { core: core.sql }, { createIfMissing: true });
        out(`shop table: ${created.describe()} created:\n${shopTableDdl(config.sink, config.sinkTable)}`);
        await created.close();
      }
    }
  } finally {
    await core.close();
  }
  return 0;
}
