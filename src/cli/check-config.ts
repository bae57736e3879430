import { parseArgs } from 'node:util';
import { CONFIG_FILE_ENV, ConfigError, describeConfig, loadConfig } from '../config/index.ts';
import { connectChecks } from './connect-check.ts';

export const CHECK_CONFIG_USAGE = `Usage: possync check-config [--config FILE] [--connect]

Loads the configuration the way the service would (file, then environment overrides), prints
what it would connect to with secrets masked, and exits 0; or lists every problem and exits 1.

Options:
  --config FILE      the file to check (default: $${CONFIG_FILE_ENV}, else ./appsettings.json)
  --connect          also connect: the core database, the shop table (table and columns; the
                     CREATE TABLE to run when it is missing) and one read-only call per POS
                     account; each line ok or failed with the reason, exit 1 on any failure.
                     A Lightspeed account's token is refreshed with the configured refresh token.
`;

export async function checkConfigCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      connect: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(CHECK_CONFIG_USAGE);
    return 0;
  }
  try {
    const config = await loadConfig({ file: values.config });
    out('ok');
    for (const line of describeConfig(config)) out(line);
    for (const warning of config.warnings) out(`warning: ${warning}`);
    if (!values.connect) return 0;
    out('connecting…');
    const lines = await connectChecks(config);
    for (const line of lines) out(`${line.ok ? 'ok' : 'failed'}: ${line.what}: ${line.detail}`);
    const failed = lines.filter((l) => !l.ok).length;
    out(failed === 0 ? 'everything answered' : `${failed} check${failed === 1 ? '' : 's'} failed`);
    return failed === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(`configuration${error.source ? ` ${error.source}` : ''} has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
    for (const problem of error.problems) out(`problem: ${problem}`);
    for (const warning of error.warnings) out(`warning: ${warning}`);
    return 1;
  }
}
