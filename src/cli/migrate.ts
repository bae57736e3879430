import { parseArgs } from 'node:util';
import { openCore } from '../core/open.ts';
import { SERVE_OPTIONS, configFromFlags } from './serve.ts';

export const MIGRATE_USAGE = `Usage: possync migrate [--config FILE] [--data-dir DIR]

Creates or upgrades possync's own database (embedded or PostgreSQL) and exits. The service also
migrates at start; this is for deployments that do it as a separate step.
`;

export async function migrateCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: SERVE_OPTIONS });
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
  } finally {
    await core.close();
  }
  return 0;
}
