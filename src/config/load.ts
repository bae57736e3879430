/**
 * Builds PossyncConfig from appsettings.json (the original's keys plus possync's) and the
 * environment, in one pass that collects every problem before failing (DESIGN §4 rule 10).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readAccounts } from './accounts.ts';
import { parseCoreConnectionString, parseSinkConnectionString } from './connection-strings.ts';
import { DEFAULTS, JOBS_LIMITS } from './defaults.ts';
import { ConfigError } from './errors.ts';
import { JsonSyntaxError, parseLenientJson } from './jsonc.ts';
import { Issues, Section } from './reader.ts';
import { canonicalTimeZone, cronProblem } from './schedule.ts';
import { openApiProblem } from './open-api.ts';
import { DEFAULT_BREAKER, readBreaker } from './breaker.ts';
import { type ConfigNode, type ObjectNode, applyEnvOverrides, emptyObject, fromPlain, setPath, toNode } from './tree.ts';
import { LEVEL_NAMES, parseLogLevel } from '../log.ts';
import {
  type CoreDatabaseConfig,
  type JobsConfig,
  DEFAULT_SINK_TABLE,
  type LoggingConfig,
  type PossyncConfig,
  type ScheduleConfig,
  type SalesConfig,
  type ServerConfig,
  type SinkDatabaseConfig,
  type SinkTableConfig,
  type ShopKey,
  type ShopKeyColumns,
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
  'Server', 'Synchronizer', 'Core', 'EcommerceTable', 'Dashboard', 'Jobs', 'Sales', 'Breaker',
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
  /**
   * Values from the command line, by config path (e.g. ['Core', 'DataFolder']). They replace the
   * file's and the environment's, then go through the same checks, so a flag is validated (and
   * named in warnings) exactly like the key it sets.
   */
  overrides?: ConfigOverride[];
}

export interface ConfigOverride {
  path: string[];
  value: string;
  /** The flag, for messages ("--data-dir"). */
  from: string;
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
      return build(emptyObject(), env, null, cwd, [`no appsettings.json in ${cwd}: using defaults and the environment`], options.overrides);
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
  return build(toNode(parsed.value), env, path, cwd, parsed.warnings, options.overrides);
}

/** The same checks on an already-parsed value (tests, or config built in code). */
export function parseConfig(json: unknown, env: Env = {}, source: string | null = null, options: { cwd?: string } = {}): PossyncConfig {
  return build(fromPlain(json), env, source, options.cwd ?? process.cwd(), []);
}

function build(root: ConfigNode, env: Env, source: string | null, cwd: string, earlyWarnings: string[], overrides: ConfigOverride[] = []): PossyncConfig {
  const issues = new Issues();
  issues.warnings.push(...earlyWarnings);
  if (root.kind !== 'object') {
    throw new ConfigError(['the configuration must be a JSON object ({ ... })'], issues.warnings, source);
  }
  issues.warnings.push(...applyEnvOverrides(root, env, UNPREFIXED_ENV_KEYS).warnings);
  applyFlags(root, overrides, issues);

  const top = new Section(root, '', issues);
  top.accept('AllowedHosts'); // ASP.NET's own section: possync has no host filtering
  const logging = readLogging(top);
  if (top.has('FirebaseFCMToken')) {
    issues.warning('FirebaseFCMToken', "is only used by the original's mobile client (Type 4), which possync does not support (ignored)");
  }
  top.accept('FirebaseFCMToken');

  const core = readCore(top, cwd);
  const sink = readSink(top);
  const breakerSection = Section.of(top.raw('Breaker'), 'Breaker', issues);
  const breaker = { ...DEFAULT_BREAKER, ...readBreaker(breakerSection) };
  const posAccess = Section.of(top.raw('PosAccess'), 'PosAccess', issues);
  const accounts = readAccounts(posAccess, issues, breakerSection.node ? breaker : undefined);
  posAccess.finish(['PosConfigurations']);
  if (accounts.length === 0 && issues.problems.length === 0) {
    issues.warning('PosAccess.PosConfigurations', 'has no usable account: nothing will be synchronized');
  }
  const server = readServer(Section.of(top.raw('Server'), 'Server', issues));
  const schedule = readSchedule(Section.of(top.raw('Synchronizer'), 'Synchronizer', issues));
  const sinkTable = readSinkTable(Section.of(top.raw('EcommerceTable'), 'EcommerceTable', issues));
  const dashboardSection = Section.of(top.raw('Dashboard'), 'Dashboard', issues);
  const dashboard = { readOnly: dashboardSection.bool('ReadOnly') ?? DEFAULTS.dashboardReadOnly };
  dashboardSection.finish(['ReadOnly']);
  const jobs = readJobs(Section.of(top.raw('Jobs'), 'Jobs', issues));
  const sales = readSales(Section.of(top.raw('Sales'), 'Sales', issues), accounts.map((a) => a.id));
  top.finish(TOP_LEVEL_KEYS);

  if (issues.problems.length > 0) throw new ConfigError(issues.problems, issues.warnings, source);
  return {
    source,
    server: server!,
    schedule: schedule!,
    logging,
    dashboard,
    jobs,
    sales,
    core,
    sink: sink!,
    sinkTable: sinkTable!,
    accounts,
    breaker,
    warnings: issues.warnings,
  };
}

const ROUTINGS = ['most-available', 'priority'] as const;

/** `Sales.Routing` and `Sales.SourcePriority`: how a multi-source item's sale picks its source. */
function readSales(section: Section, accountIds: readonly string[]): SalesConfig {
  const text = section.string('Routing') ?? DEFAULTS.salesRouting;
  const routing = ROUTINGS.find((r) => r === text.trim().toLowerCase());
  if (!routing) section.issues.problem(section.keyPath('Routing'), `must be ${ROUTINGS.join(' or ')} (got "${text.slice(0, 40)}")`);
  const sourcePriority = section.stringList('SourcePriority') ?? [];
  sourcePriority.forEach((id, index) => {
    if (!accountIds.includes(id)) section.issues.problem(section.keyPath(`SourcePriority[${index}]`), `is not the AccountID of a configured account (got "${id.slice(0, 60)}")`);
  });
  if (routing === 'priority' && sourcePriority.length === 0) {
    section.issues.warning(section.keyPath('SourcePriority'), 'is empty: with Routing "priority", sources are tried first source first, then in the order they were added');
  }
  section.finish(['Routing', 'SourcePriority']);
  return { routing: routing ?? 'most-available', sourcePriority };
}

function readCore(top: Section, cwd: string): CoreDatabaseConfig {
  const issues = top.issues;
  const coreSection = Section.of(top.raw('Core'), 'Core', issues);
  const folder = coreSection.string('DataFolder');
  // Query connections to a PostgreSQL core; per-account locks take theirs from a pool of their own.
  const poolSize = coreSection.int('PoolSize', { min: 2, max: 200 });
  coreSection.finish(['DataFolder', 'PoolSize']);
  const dataDir = resolve(cwd, folder ?? DEFAULTS.dataFolder);
  const text = top.string('hangfireDatabaseConnectionString', { secret: true });
  const unusedPool = () => {
    if (poolSize !== undefined) issues.warning('Core.PoolSize', 'is not used: the core is the embedded PGlite database (one connection)');
  };
  if (text === undefined) {
    unusedPool();
    return { kind: 'pglite', dataDir };
  }
  const parsed = parseCoreConnectionString(text);
  if (parsed.kind === 'postgres') {
    if (folder !== undefined) issues.warning('Core.DataFolder', 'is not used: hangfireDatabaseConnectionString points at PostgreSQL');
    return { kind: 'postgres', connectionString: parsed.connectionString, poolSize: poolSize ?? DEFAULTS.corePoolSize };
  }
  unusedPool();
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

function readServer(section: Section): ServerConfig | undefined {
  const host = section.string('Host') ?? DEFAULTS.host;
  if (/\s|\/|^\[?$/.test(host)) section.issues.problem(section.keyPath('Host'), `must be an address or host name (got "${host.slice(0, 60)}")`);
  const port = section.int('Port', { min: 0, max: 65535 }) ?? (section.has('Port') ? undefined : DEFAULTS.port);
  const apiKeys = section.stringList('ApiKeys', { secret: true }) ?? [];
  apiKeys.forEach((key, index) => {
    if (key.length < 16) section.issues.warning(section.keyPath(`ApiKeys[${index}]`), 'is shorter than 16 characters: easy to guess');
  });
  const openApi = openApiProblem(host, apiKeys);
  if (openApi) section.issues.problem(section.keyPath('ApiKeys'), openApi + setBy(section.raw('Host'), 'Server.Host'));
  const seconds = (key: string, fallback: number, max: number) => (section.int(key, { min: 1, max }) ?? fallback) * 1000;
  const limits = {
    headersTimeoutMs: seconds('HeadersTimeoutSeconds', DEFAULTS.headersTimeoutSeconds, 3600),
    requestTimeoutMs: seconds('RequestTimeoutSeconds', DEFAULTS.requestTimeoutSeconds, 3600),
    keepAliveTimeoutMs: seconds('KeepAliveTimeoutSeconds', DEFAULTS.keepAliveTimeoutSeconds, 3600),
    maxConnections: section.int('MaxConnections', { min: 1, max: 1_000_000 }) ?? DEFAULTS.maxConnections,
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    section.issues.problem(section.keyPath('HeadersTimeoutSeconds'), 'must not be longer than Server.RequestTimeoutSeconds (the headers are part of the request)');
  }
  const publicUrl = readPublicUrl(section);
  section.finish(['Host', 'Port', 'ApiKeys', 'PublicUrl', 'HeadersTimeoutSeconds', 'RequestTimeoutSeconds', 'KeepAliveTimeoutSeconds', 'MaxConnections']);
  return port === undefined ? undefined : { host, port, apiKeys, limits, ...(publicUrl ? { publicUrl } : {}) };
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

/** ` (Server.Host set by --host)`, when the value did not come from the file. */
function setBy(node: ConfigNode | undefined, path: string): string {
  return node?.kind === 'value' && node.setBy ? ` (${path} set by ${node.setBy})` : '';
}

function readJobs(section: Section): JobsConfig {
  const jobs = {
    heartbeatSeconds: section.int('HeartbeatSeconds', JOBS_LIMITS.heartbeatSeconds) ?? DEFAULTS.jobHeartbeatSeconds,
    dispatchLeaseSeconds: section.int('DispatchLeaseSeconds', JOBS_LIMITS.dispatchLeaseSeconds) ?? DEFAULTS.dispatchLeaseSeconds,
  };
  section.finish(['HeartbeatSeconds', 'DispatchLeaseSeconds']);
  return jobs;
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
  const maxItemAgeSeconds = section.int('MaxItemAgeSeconds', { min: 1 }) ?? null;
  section.finish(['Cron', 'TimeZone', 'StartOnBoot', 'MaxItemAgeSeconds']);
  return timeZone === undefined || cronIssue ? undefined : { cron: cron.trim(), timeZone, startOnBoot, maxItemAgeSeconds };
}

/**
 * `Logging.LogLevel.Default`, as the original's ASP.NET read it (its provider sections, such as
 * Logging.Console, are accepted and ignored: possync has one logger).
 */
function readLogging(top: Section): LoggingConfig {
  const logging = Section.of(top.raw('Logging'), 'Logging', top.issues);
  const levels = Section.of(logging.raw('LogLevel'), 'Logging.LogLevel', top.issues);
  const text = levels.string('Default');
  levels.accept(...(levels.node ? [...levels.node.entries.values()].map((e) => e.name) : []));
  logging.accept(...(logging.node ? [...logging.node.entries.values()].map((e) => e.name) : []));
  if (text === undefined) return { level: DEFAULTS.logLevel };
  const level = parseLogLevel(text);
  if (level === undefined) {
    top.issues.problem('Logging.LogLevel.Default', `must be ${LEVEL_NAMES} (got "${text.slice(0, 40)}")`);
    return { level: DEFAULTS.logLevel };
  }
  return { level };
}

function applyFlags(root: ObjectNode, overrides: readonly ConfigOverride[], issues: Issues): void {
  for (const override of overrides) {
    const problem = setPath(root, override.path, { kind: 'value', value: override.value, setBy: override.from });
    if (problem) issues.problem(override.from, problem);
  }
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
/** Optional columns of the shop's table that auto-match reads keys from. */
const KEY_COLUMN_KEYS: Record<ShopKey, string> = { sku: 'Sku', barcode: 'Barcode' };

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
  const keyColumns: ShopKeyColumns = {};
  for (const [field, key] of Object.entries(KEY_COLUMN_KEYS) as Array<[ShopKey, string]>) {
    const value = columnsSection.string(key);
    if (value === undefined || value === '') continue;
    if (!IDENTIFIER.test(value)) {
      issues.problem(columnsSection.keyPath(key), `must be a column name (letters, digits, _), got "${value.slice(0, 60)}"`);
      ok = false;
    } else {
      keyColumns[field] = value;
    }
  }
  columnsSection.finish([...Object.values(COLUMN_KEYS), ...Object.values(KEY_COLUMN_KEYS)]);
  const seen = new Map<string, string>();
  const named: Array<[string, string]> = [
    ...Object.entries(columns).map(([field, column]): [string, string] => [COLUMN_KEYS[field as keyof typeof COLUMN_KEYS], column]),
    ...Object.entries(keyColumns).map(([field, column]): [string, string] => [KEY_COLUMN_KEYS[field as ShopKey], column]),
  ];
  for (const [key, column] of named) {
    const other = seen.get(column.toLowerCase());
    if (other) {
      issues.problem(columnsSection.keyPath(key), `uses the same column "${column}" as ${other}`);
      ok = false;
    }
    seen.set(column.toLowerCase(), key);
  }
  section.finish(['Name', 'Columns']);
  return ok ? { name, columns, ...(Object.keys(keyColumns).length > 0 ? { keyColumns } : {}) } : undefined;
}
