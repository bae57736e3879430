import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { CONFIG_FILE_ENV, ConfigError, describeConfig, loadConfig, type PossyncConfig } from '../config/index.ts';
import type { FlagOverride } from '../config/tree.ts';
import { startPossync } from '../main.ts';

export const SERVE_USAGE = `Usage: possync serve [--config FILE] [--host ADDR] [--port N] [--data-dir DIR]

Runs possync: the HTTP API (and /docs), the scheduled polls and the job workers.

Options:
  --config FILE      configuration file (default: $${CONFIG_FILE_ENV}, else ./appsettings.json)
  --host ADDR        listen address (default: Server.Host, 127.0.0.1)
  --port N           listen port (default: Server.Port, 5000)
  --data-dir DIR     embedded database folder (default: Core.DataFolder, ./.possync/data)
`;

export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  'data-dir'?: string;
}

export const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Loads the config once, the command-line flags applied over the file and the environment and checked with them. */
export async function configFromFlags(flags: ServeFlags, out: (line: string) => void): Promise<PossyncConfig | null> {
  let config: PossyncConfig;
  const overrides: FlagOverride[] = [];
  if (flags.host !== undefined) overrides.push({ flag: '--host', path: ['Server', 'Host'], value: flags.host });
  if (flags.port !== undefined) overrides.push({ flag: '--port', path: ['Server', 'Port'], value: flags.port });
  try {
    config = await loadConfig({ file: flags.config, flags: overrides });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(`possync cannot start: the configuration has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
    for (const problem of error.problems) out(`  ${problem}`);
    return null;
  }
  if (flags['data-dir'] !== undefined) {
    if (config.core.kind !== 'pglite') throw new RangeError('--data-dir applies to the embedded database only; the config names a PostgreSQL core');
    config.core = { kind: 'pglite', dataDir: resolve(flags['data-dir']) };
  }
  return config;
}

export async function serveCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: SERVE_OPTIONS });
  if (values.help) {
    out(SERVE_USAGE);
    return 0;
  }
  const config = await configFromFlags(values, out);
  if (!config) return 1;
  for (const warning of config.warnings) out(`warning: ${warning}`);
  for (const line of describeConfig(config)) out(line);
  const running = await startPossync(config, { log: out });
  out(`possync listening on ${running.url} (API reference: ${running.url}/docs)`);
  await untilSignal();
  out('stopping…');
  await running.close();
  return 0;
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
