/**
 * Builds PossyncConfig from appsettings.json (the original's keys plus possync's) and the
 * environment, in one pass that collects every problem before failing (DESIGN §4 rule 10).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readAccounts } from './accounts.ts';
import { parseCoreConnectionString, parseSinkConnectionString } from './connection-strings.ts';
import { DEFAULTS } from './defaults.ts';
import { ConfigError } from './errors.ts';
import { JsonSyntaxError, parseLenientJson } from './jsonc.ts';
import { Issues, Section } from './reader.ts';
import { canonicalTimeZone, cronProblem } from './schedule.ts';
import { type ConfigNode, applyEnvOverrides, emptyObject, fromPlain, toNode } from './tree.ts';
import {
  type CoreDatabaseConfig,
  DEFAULT_SINK_TABLE,
  type PossyncConfig,
  type ScheduleConfig,
  type ServerConfig,
  type SinkDatabaseConfig,
  type SinkTableConfig,
} from './types.ts';

type Env = Record<string, string | undefined>;

/**
 * The original's keys that ASP.NET let plain environment variables override
 * (`PosAccess__PosConfigurations__0__AccessToken`); possync honours those unprefixed too, so
 * existing deployments keep working. Its own sections take the POSSYNC__ prefix only: a stray
 * SERVER or CORE variable must not reconfigure anything.
 */
export const UNPREFIXED_ENV_KEYS = ['hangfireDatabaseConnectionString', 'ecommerceDatabaseConnectionString', 'PosAccess'] as const;

/** Top-level keys: the original's, then possync's. */
export const TOP_LEVEL_KEYS = [
  'Logging', 'AllowedHosts', 'hangfireDatabaseConnectionString', 'ecommerceDatabaseConnectionString', 'PosAccess', 'FirebaseFCMToken',
  'Server', 'Synchronizer', 'Core', 'EcommerceTable',
] as const;

/** Env var naming the config file when --config is not given. */
export const CONFIG_FILE_ENV = 'POSSYNC_CONFIG';

export interface LoadOptions {
  /** The file to read; default: $POSSYNC_CONFIG, else ./appsettings.json. */
  file?: string;
  /** Default: process.env. */
  env?: Env;
  /** Base for relative paths (the file, DataFolder); default: process.cwd(). */
  cwd?: string;
}

export async function loadConfig(options: LoadOptions = {}): Promise<PossyncConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.file ?? (env[CONFIG_FILE_ENV] || undefined);
  const path = resolve(cwd, named ?? 'appsettings.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && named === undefined) {
      // No file at all is fine: defaults plus the environment (handy in containers).
      return build(emptyObject(), env, null, cwd, [`no appsettings.json in ${cwd}: using defaults and the environment`]);
    }
    throw new ConfigError([code === 'ENOENT' ? `config file ${path} not found` : `config file ${path} cannot be read (${code ?? 'error'})`], [], path);
  }
  let parsed;
  try {
    parsed = parseLenientJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError([`${path} is not valid JSON: ${error.message}`], [], path);
    throw error;
  }
  return build(toNode(parsed.value), env, path, cwd, parsed.warnings);
}

/** The same checks on an already-parsed value (tests, or config built in code). */
export function parseConfig(json: unknown, env: Env = {}, source: string | null = null, options: { cwd?: string } = {}): PossyncConfig {
  return build(fromPlain(json), env, source, options.cwd ?? process.cwd(), []);
}

function build(root: ConfigNode, env: Env, source: string | null, cwd: string, earlyWarnings: string[]): PossyncConfig {
  const issues = new Issues();
  issues.warnings.push(...earlyWarnings);
  if (root.kind !== 'object') {
    throw new ConfigError(['the configuration must be a JSON object ({ ... })'], issues.warnings, source);
  }
  issues.warnings.push(...applyEnvOverrides(root, env, UNPREFIXED_ENV_KEYS).warnings);

  const top = new Section(root, '', issues);
  top.accept('Logging', 'AllowedHosts'); // ASP.NET's own sections: possync logs its own way
  if (top.has('FirebaseFCMToken')) {
    issues.warning('FirebaseFCMToken', "is only used by the original's mobile client (Type 4), which possync does not support (ignored)");
  }
  top.accept('FirebaseFCMToken');

  const core = readCore(top, cwd);
  const sink = readSink(top);
  const posAccess = Section.of(top.raw('PosAccess'), 'PosAccess', issues);
  const accounts = readAccounts(posAccess, issues);
  posAccess.finish(['PosConfigurations']);
  if (accounts.length === 0 && issues.problems.length === 0) {
    issues.warning('PosAccess.PosConfigurations', 'has no usable account: nothing will be synchronized');
  }
  const server = readServer(Section.of(top.raw('Server'), 'Server', issues));
  const schedule = readSchedule(Section.of(top.raw('Synchronizer'), 'Synchronizer', issues));
  const sinkTable = readSinkTable(Section.of(top.raw('EcommerceTable'), 'EcommerceTable', issues));
  top.finish(TOP_LEVEL_KEYS);

  if (issues.problems.length > 0) throw new ConfigError(issues.problems, issues.warnings, source);
  return {
    source,
    server: server!,
    schedule: schedule!,
    core,
    sink: sink!,
    sinkTable: sinkTable!,
    accounts,
    warnings: issues.warnings,
  };
}

function readCore(top: Section, cwd: string): CoreDatabaseConfig {
  const issues = top.issues;
  const coreSection = Section.of(top.raw('Core'), 'Core', issues);
  const folder = coreSection.string('DataFolder');
  coreSection.finish(['DataFolder']);
  const dataDir = resolve(cwd, folder ?? DEFAULTS.dataFolder);
  const text = top.string('hangfireDatabaseConnectionString', { secret: true });
  if (text === undefined) return { kind: 'pglite', dataDir };
  const parsed = parseCoreConnectionString(text);
  if (parsed.kind === 'postgres') {
    if (folder !== undefined) issues.warning('Core.DataFolder', 'is not used: hangfireDatabaseConnectionString points at PostgreSQL');
    return { kind: 'postgres', connectionString: parsed.connectionString };
  }
  if (parsed.kind === 'invalid') {
    issues.problem('hangfireDatabaseConnectionString', parsed.reason);
  } else {
    issues.warning(
      'hangfireDatabaseConnectionString',
      `${parsed.reason}; possync's own database must be PostgreSQL, so it is ignored and the embedded database in ${dataDir} is used`,
    );
  }
  return { kind: 'pglite', dataDir };
}

function readSink(top: Section): SinkDatabaseConfig | undefined {
  const parsed = parseSinkConnectionString(top.string('ecommerceDatabaseConnectionString', { secret: true }));
  if (!parsed.ok) {
    top.issues.problem('ecommerceDatabaseConnectionString', parsed.reason);
    return undefined;
  }
  for (const warning of parsed.warnings) top.issues.warning('ecommerceDatabaseConnectionString', warning);
  return parsed.value;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

function readServer(section: Section): ServerConfig | undefined {
  const host = section.string('Host') ?? DEFAULTS.host;
  if (/\s|\/|^\[?$/.test(host)) section.issues.problem(section.keyPath('Host'), `must be an address or host name (got "${host.slice(0, 60)}")`);
  const port = section.int('Port', { min: 1, max: 65535 }) ?? (section.has('Port') ? undefined : DEFAULTS.port);
  const apiKeys = section.stringList('ApiKeys', { secret: true }) ?? [];
  apiKeys.forEach((key, index) => {
    if (key.length < 16) section.issues.warning(section.keyPath(`ApiKeys[${index}]`), 'is shorter than 16 characters: easy to guess');
  });
  if (apiKeys.length === 0 && !LOOPBACK.test(host)) {
    section.issues.problem(section.keyPath('ApiKeys'), `must hold at least one key when Server.Host is not a loopback address (${host} would expose an open API)`);
  }
  const publicUrl = readPublicUrl(section);
  section.finish(['Host', 'Port', 'ApiKeys', 'PublicUrl']);
  return port === undefined ? undefined : { host, port, apiKeys, ...(publicUrl ? { publicUrl } : {}) };
}

/** Where POS webhooks reach possync: an http(s) URL without credentials, query or fragment. */
function readPublicUrl(section: Section): string | undefined {
  const text = section.string('PublicUrl');
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    section.issues.problem(section.keyPath('PublicUrl'), `must be an http:// or https:// URL with no credentials, query or fragment (got "${text.slice(0, 80)}")`);
    return undefined;
  }
  return text.replace(/\/+$/, '');
}

function readSchedule(section: Section): ScheduleConfig | undefined {
  const zoneText = section.string('TimeZone') ?? DEFAULTS.timeZone;
  const timeZone = canonicalTimeZone(zoneText);
  if (timeZone === undefined) {
    section.issues.problem(section.keyPath('TimeZone'), `is not a known IANA time zone such as UTC or Europe/Brussels (got "${zoneText.slice(0, 60)}")`);
  }
  const cron = section.string('Cron') ?? DEFAULTS.cron;
  const cronIssue = cronProblem(cron, timeZone ?? 'UTC');
  if (cronIssue) section.issues.problem(section.keyPath('Cron'), `${cronIssue} (got "${cron.slice(0, 60)}")`);
  const startOnBoot = section.bool('StartOnBoot') ?? DEFAULTS.startOnBoot;
  section.finish(['Cron', 'TimeZone', 'StartOnBoot']);
  return timeZone === undefined || cronIssue ? undefined : { cron: cron.trim(), timeZone, startOnBoot };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const COLUMN_KEYS: Record<keyof SinkTableConfig['columns'], string> = {
  posItemId: 'PosItemId',
  ecommerceId: 'EcommerceId',
  quantity: 'Quantity',
  accountId: 'AccountId',
  description: 'Description',
  limitQuantity: 'LimitQuantity',
};

function readSinkTable(section: Section): SinkTableConfig | undefined {
  const issues = section.issues;
  let ok = true;
  const name = section.string('Name') ?? DEFAULT_SINK_TABLE.name;
  // Plain identifiers only: they are quoted into SQL, so nothing else may get through.
  if (!name.split('.').every((part) => IDENTIFIER.test(part)) || name.split('.').length > 2) {
    issues.problem(section.keyPath('Name'), `must be a table name such as stock or shop.stock (letters, digits, _), got "${name.slice(0, 60)}"`);
    ok = false;
  }
  const columnsSection = Section.of(section.raw('Columns'), section.keyPath('Columns'), issues);
  const columns = { ...DEFAULT_SINK_TABLE.columns };
  for (const [field, key] of Object.entries(COLUMN_KEYS) as Array<[keyof SinkTableConfig['columns'], string]>) {
    const value = columnsSection.string(key);
    if (value === undefined) continue;
    if (!IDENTIFIER.test(value)) {
      issues.problem(columnsSection.keyPath(key), `must be a column name (letters, digits, _), got "${value.slice(0, 60)}"`);
      ok = false;
    } else {
      columns[field] = value;
    }
  }
  columnsSection.finish(Object.values(COLUMN_KEYS));
  const seen = new Map<string, string>();
  for (const [field, column] of Object.entries(columns)) {
    const other = seen.get(column.toLowerCase());
    if (other) {
      issues.problem(columnsSection.keyPath(COLUMN_KEYS[field as keyof typeof COLUMN_KEYS]), `uses the same column "${column}" as ${COLUMN_KEYS[other as keyof typeof COLUMN_KEYS]}`);
      ok = false;
    }
    seen.set(column.toLowerCase(), field);
  }
  section.finish(['Name', 'Columns']);
  return ok ? { name, columns } : undefined;
}
