import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { CONFIG_FILE_ENV, ConfigError, loadConfig, type ConfigOverride, type PossyncConfig } from '../config/index.ts';
import { configSecrets } from '../config/secrets.ts';
import { createLogger, type Logger } from '../log.ts';
import { startPossync } from '../main.ts';

export const SERVE_USAGE = `Usage: possync serve [--config FILE] [--host ADDR] [--port N] [--data-dir DIR] [--log-level LEVEL] [--pretty]
                     [--shop-sku-column NAME] [--shop-barcode-column NAME]

Runs possync: the HTTP API (and /docs), /healthz, /readyz, /metrics, the scheduled polls and the job workers.

Options:
  --config FILE        configuration file (default: $${CONFIG_FILE_ENV}, else ./appsettings.json)
  --host ADDR          listen address (default: Server.Host, 127.0.0.1)
  --port N             listen port (default: Server.Port, 5000)
  --data-dir DIR       embedded database folder (default: Core.DataFolder, ./.possync/data)
  --log-level LEVEL    trace, debug, info, warn, error, fatal, silent (or the ASP.NET names);
                       default: Logging.LogLevel.Default, else info
  --shop-sku-column NAME      the shop table's SKU column, for auto-match (EcommerceTable.Columns.Sku)
  --shop-barcode-column NAME  the shop table's barcode column, for auto-match (EcommerceTable.Columns.Barcode)
  --pretty             readable log lines instead of JSON (the default when stdout is a terminal)
  --json               JSON log lines even on a terminal
`;

export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  'data-dir'?: string;
  'log-level'?: string;
  'shop-sku-column'?: string;
  'shop-barcode-column'?: string;
}

export const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string' },
  'shop-sku-column': { type: 'string' },
  'shop-barcode-column': { type: 'string' },
  pretty: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The entry point's logger: JSON lines, or readable ones with --pretty or on a terminal. */
export function loggerFor(config: PossyncConfig, flags: { pretty?: boolean; json?: boolean }): Logger {
  const pretty = flags.json ? false : flags.pretty ?? process.stdout.isTTY === true;
  return createLogger({ level: config.logging.level, pretty, secrets: configSecrets(config) });
}

/** Loads the config once and applies the command-line flags on top of it. */
export async function configFromFlags(flags: ServeFlags, out: (line: string) => void): Promise<PossyncConfig | null> {
  let config: PossyncConfig;
  const overrides: ConfigOverride[] = [];
  // Flags set config keys, so they are checked (and named in warnings) like the keys themselves.
  if (flags['data-dir'] !== undefined) overrides.push({ path: ['Core', 'DataFolder'], value: resolve(flags['data-dir']), from: '--data-dir' });
  if (flags['log-level'] !== undefined) overrides.push({ path: ['Logging', 'LogLevel', 'Default'], value: flags['log-level'], from: '--log-level' });
  // The address goes through the loader's one open-API rule like the file's and the environment's.
  if (flags.host !== undefined) overrides.push({ path: ['Server', 'Host'], value: flags.host, from: '--host' });
  if (flags.port !== undefined) overrides.push({ path: ['Server', 'Port'], value: flags.port, from: '--port' });
  if (flags['shop-sku-column'] !== undefined) overrides.push({ path: ['EcommerceTable', 'Columns', 'Sku'], value: flags['shop-sku-column'], from: '--shop-sku-column' });
  if (flags['shop-barcode-column'] !== undefined) overrides.push({ path: ['EcommerceTable', 'Columns', 'Barcode'], value: flags['shop-barcode-column'], from: '--shop-barcode-column' });
  try {
    config = await loadConfig({ file: flags.config, overrides });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(`possync cannot start: the configuration has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
    for (const problem of error.problems) out(`  ${problem}`);
    return null;
  }
  if (flags['data-dir'] !== undefined && config.core.kind !== 'pglite') {
    throw new RangeError('--data-dir applies to the embedded database only; the config names a PostgreSQL core');
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
  const logger = loggerFor(config, values);
  for (const warning of config.warnings) logger.warn({ event: 'config.warning' }, warning);
  logger.info({ event: 'startup.config', source: config.source }, `config file: ${config.source ?? '(none: defaults and environment)'}`);
  if (config.core.kind === 'pglite') logger.info({ event: 'startup.data_folder', dataFolder: config.core.dataDir }, `data folder: ${config.core.dataDir}`);
  const running = await startPossync(config, { logger });
  logger.info({ event: 'startup.ready', url: running.url }, `possync listening on ${running.url} (API reference: ${running.url}/docs)`);
  await untilSignal();
  logger.info({ event: 'shutdown' }, 'stopping…');
  await running.close();
  logger.flush();
  return 0;
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
