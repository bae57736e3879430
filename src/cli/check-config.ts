import { parseArgs } from 'node:util';
import { CONFIG_FILE_ENV, ConfigError, describeConfig, loadConfig } from '../config/index.ts';

export const CHECK_CONFIG_USAGE = `Usage: possync check-config [--config FILE]

Loads the configuration the way the service would (file, then environment overrides), prints
what it would connect to with secrets masked, and exits 0; or lists every problem and exits 1.

Options:
  --config FILE      the file to check (default: $${CONFIG_FILE_ENV}, else ./appsettings.json)
`;

export async function checkConfigCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
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
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(`configuration${error.source ? ` ${error.source}` : ''} has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
    for (const problem of error.problems) out(`problem: ${problem}`);
    for (const warning of error.warnings) out(`warning: ${warning}`);
    return 1;
  }
}
