/**
 * Connection strings in the forms users of the original have: PostgreSQL URLs and libpq keyword
 * strings for the core, ADO.NET (`Server=…;Uid=…;Pwd=…`) MySQL strings and URLs for the shop.
 * Messages name keys, never values: these strings carry passwords.
 */
import { maskPostgresUrl } from './mask.ts';
import type { SinkDatabaseConfig } from './types.ts';

export type Parsed<T> = { ok: true; value: T; warnings: string[] } | { ok: false; reason: string };

/** Checks a postgres:// or postgresql:// URL; returns it unchanged (pg reads it as is). */
export function parsePostgresUrl(text: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not a valid PostgreSQL URL (postgres://user:password@host:5432/database)' };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return { ok: false, reason: 'must start with postgres:// or postgresql://' };
  }
  if (url.port !== '' && Number(url.port) < 1) return { ok: false, reason: 'has an invalid port (1 to 65535)' };
  if (url.hostname === '' && !url.searchParams.has('host')) {
    return { ok: false, reason: 'has no host (postgres://user:password@host:5432/database)' };
  }
  return { ok: true, value: text, warnings: [] };
}

const LIBPQ_KEYWORDS = new Set([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'channel_binding', 'connect_timeout',
  'client_encoding', 'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle',
  'keepalives_interval', 'keepalives_count', 'tcp_user_timeout', 'replication', 'gssencmode', 'sslmode',
  'requiressl', 'sslcompression', 'sslcert', 'sslkey', 'sslpassword', 'sslrootcert', 'sslcrl', 'sslcrldir',
  'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname', 'gsslib',
  'service', 'target_session_attrs', 'load_balance_hosts', 'sslnegotiation', 'require_auth',
]);

/** True when the text reads as libpq keywords (`host=… dbname=…`), so errors in it are real errors. */
export function looksLikeLibpq(text: string): boolean {
  const first = /^\s*([A-Za-z_]+)\s*=/.exec(text);
  return !!first && !text.includes(';') && LIBPQ_KEYWORDS.has(first[1]!.toLowerCase());
}

/**
 * Parses a libpq keyword string and turns it into an equivalent postgresql:// URL, the one form
 * every PostgreSQL client in the project (pg, pg-boss) reads.
 */
export function parseLibpq(text: string): Parsed<string> {
  const pairs = new Map<string, string>();
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  for (;;) {
    skipSpace();
    if (at >= text.length) break;
    const key = /^[A-Za-z_]+/.exec(text.slice(at))?.[0];
    if (!key) return { ok: false, reason: 'is not a valid "key=value key=value" PostgreSQL connection string' };
    at += key.length;
    skipSpace();
    if (text[at] !== '=') return { ok: false, reason: `has no = after "${key}"` };
    at++;
    skipSpace();
    let value = '';
    if (text[at] === "'") {
      at++;
      for (;;) {
        const c = text[at];
        if (c === undefined) return { ok: false, reason: `has an unterminated quoted value for "${key}"` };
        at++;
        if (c === "'") break;
        if (c === '\\' && at < text.length) value += text[at++];
        else value += c;
      }
    } else {
      while (at < text.length && !/\s/.test(text[at]!)) {
        const c = text[at++]!;
        if (c === '\\' && at < text.length) value += text[at++];
        else value += c;
      }
    }
    const lower = key.toLowerCase();
    if (!LIBPQ_KEYWORDS.has(lower)) return { ok: false, reason: `has an unknown keyword "${key}"` };
    pairs.set(lower, value);
  }
  if (pairs.size === 0) return { ok: false, reason: 'is empty' };
  const port = pairs.get('port');
  if (port !== undefined && !/^\d+$/.test(port)) return { ok: false, reason: 'has an invalid port (1 to 65535)' };
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return { ok: false, reason: 'has an invalid port (1 to 65535)' };

  const user = pairs.get('user');
  const password = pairs.get('password');
  const host = pairs.get('host') ?? pairs.get('hostaddr');
  const simpleHost = host !== undefined && /^[A-Za-z0-9.-]+$/.test(host) ? host : undefined;
  const auth = user !== undefined ? `${encodeURIComponent(user)}${password !== undefined ? `:${encodeURIComponent(password)}` : ''}@` : '';
  const authority = simpleHost !== undefined ? `${auth}${simpleHost}${port !== undefined ? `:${port}` : ''}` : auth;
  const query = new URLSearchParams();
  // Socket paths, multiple hosts, and a password without a user travel as query parameters.
  if (host !== undefined && simpleHost === undefined) query.set('host', host);
  if (simpleHost === undefined && port !== undefined) query.set('port', port);
  if (user === undefined && password !== undefined) query.set('password', password);
  for (const [key, value] of pairs) {
    if (!['host', 'hostaddr', 'port', 'user', 'password', 'dbname'].includes(key)) query.set(key, value);
  }
  const dbname = pairs.get('dbname');
  const search = query.toString();
  return {
    ok: true,
    value: `postgresql://${authority}/${dbname !== undefined ? encodeURIComponent(dbname) : ''}${search ? `?${search}` : ''}`,
    warnings: [],
  };
}

/** ADO.NET `key=value;key=value` with optional '…' or "…" quoting; keys lower-cased, spaces removed. */
export function parseAdoNet(text: string): Map<string, string> | undefined {
  const pairs = new Map<string, string>();
  let at = 0;
  while (at < text.length) {
    const eq = text.indexOf('=', at);
    const semi = text.indexOf(';', at);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      // Only blanks may sit between separators.
      const rest = (semi < 0 ? text.slice(at) : text.slice(at, semi)).trim();
      if (rest !== '') return undefined;
      if (semi < 0) break;
      at = semi + 1;
      continue;
    }
    const key = text.slice(at, eq).trim().toLowerCase().replace(/[\s_]+/g, '');
    if (key === '') return undefined;
    at = eq + 1;
    while (text[at] === ' ') at++;
    let value: string;
    const quote = text[at];
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, at + 1);
      if (end < 0) return undefined;
      value = text.slice(at + 1, end);
      at = end + 1;
      const next = text.indexOf(';', at);
      if (text.slice(at, next < 0 ? undefined : next).trim() !== '') return undefined;
      at = next < 0 ? text.length : next + 1;
    } else {
      const next = text.indexOf(';', at);
      value = text.slice(at, next < 0 ? undefined : next).trim();
      at = next < 0 ? text.length : next + 1;
    }
    pairs.set(key, value);
  }
  return pairs.size > 0 ? pairs : undefined;
}

/** Signs that an ADO.NET string is meant for SQL Server (the original's Hangfire storage). */
export function looksLikeSqlServer(pairs: Map<string, string>): boolean {
  const server = pairs.get('server') ?? pairs.get('datasource') ?? '';
  return (
    pairs.has('trustedconnection') ||
    pairs.has('integratedsecurity') ||
    pairs.has('multipleactiveresultsets') ||
    server.includes('\\') ||
    /^(tcp|np|lpc):/i.test(server)
  );
}

const MYSQL_KEYS: Record<string, 'host' | 'port' | 'database' | 'user' | 'password'> = {
  server: 'host', host: 'host', datasource: 'host', address: 'host', addr: 'host', networkaddress: 'host',
  port: 'port',
  database: 'database', initialcatalog: 'database',
  uid: 'user', userid: 'user', user: 'user', username: 'user',
  pwd: 'password', password: 'password',
};

type MysqlSink = Extract<SinkDatabaseConfig, { kind: 'mysql' }>;

/** An ADO.NET MySQL string (MySqlConnector/Connector/NET key names) → the sink's MySQL settings. */
export function parseAdoNetMysql(text: string): Parsed<MysqlSink> {
  const pairs = parseAdoNet(text);
  if (!pairs) return { ok: false, reason: 'is not a valid "Server=…;Database=…;Uid=…;Pwd=…" connection string' };
  if (looksLikeSqlServer(pairs)) {
    return { ok: false, reason: 'looks like a SQL Server connection string; the shop database must be MySQL/MariaDB or PostgreSQL' };
  }
  const fields: Partial<Record<'host' | 'port' | 'database' | 'user' | 'password', string>> = {};
  const ignored: string[] = [];
  for (const [key, value] of pairs) {
    const field = MYSQL_KEYS[key];
    if (field) fields[field] = value;
    else ignored.push(key);
  }
  return finishMysql(fields, ignored, 'Server/Database/Uid');
}

/** mysql://user:password@host:3306/database (also mariadb://). */
export function parseMysqlUrl(text: string): Parsed<MysqlSink> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not a valid MySQL URL (mysql://user:password@host:3306/database)' };
  }
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const fields = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port,
    database: decode(url.pathname.replace(/^\//, '')),
    user: decode(url.username),
    password: decode(url.password),
  };
  return finishMysql(fields, [...url.searchParams.keys()], 'host, database and user');
}

function finishMysql(
  fields: Partial<Record<'host' | 'port' | 'database' | 'user' | 'password', string>>,
  ignored: string[],
  names: string,
): Parsed<MysqlSink> {
  const missing = (['host', 'database', 'user'] as const).filter((k) => !fields[k]);
  if (missing.length > 0) return { ok: false, reason: `is missing ${missing.join(', ')} (it needs ${names})` };
  let port = 3306;
  if (fields.port) {
    port = /^\d+$/.test(fields.port) ? Number(fields.port) : NaN;
    if (!(port >= 1 && port <= 65535)) return { ok: false, reason: 'has an invalid port (1 to 65535)' };
  }
  if (fields.host!.includes(',')) return { ok: false, reason: 'lists several servers; give exactly one' };
  return {
    ok: true,
    value: { kind: 'mysql', host: fields.host!, port, user: fields.user!, password: fields.password ?? '', database: fields.database! },
    warnings: ignored.length > 0 ? [`sets options possync does not use (ignored): ${ignored.join(', ')}`] : [],
  };
}

/** The shop database: empty → embedded, else a MySQL or PostgreSQL string in any accepted form. */
export function parseSinkConnectionString(text: string | undefined): Parsed<SinkDatabaseConfig> {
  if (text === undefined || text.trim() === '') return { ok: true, value: { kind: 'embedded' }, warnings: [] };
  const trimmed = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const parsed = parsePostgresUrl(trimmed);
    return parsed.ok ? { ok: true, value: { kind: 'postgres', connectionString: parsed.value }, warnings: [] } : parsed;
  }
  if (scheme === 'mysql' || scheme === 'mariadb') return parseMysqlUrl(trimmed);
  if (scheme !== undefined) return { ok: false, reason: `uses an unsupported scheme "${scheme}://" (use mysql://, postgres://, or Server=…;Database=…;Uid=…;Pwd=…)` };
  if (looksLikeLibpq(trimmed)) {
    const parsed = parseLibpq(trimmed);
    return parsed.ok ? { ok: true, value: { kind: 'postgres', connectionString: parsed.value }, warnings: [] } : parsed;
  }
  if (!trimmed.includes('=')) {
    return { ok: false, reason: 'is not a connection string (expected Server=…;Database=…;Uid=…;Pwd=…, mysql://… or postgres://…)' };
  }
  return parseAdoNetMysql(trimmed);
}

export type CoreParse =
  | { kind: 'postgres'; connectionString: string }
  /** Not PostgreSQL (the original's SQL Server Hangfire string, a placeholder): the embedded default is used. */
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

/**
 * The original's `hangfireDatabaseConnectionString`. It pointed Hangfire at SQL Server, which
 * possync cannot use as its core; such values are set aside (with a warning by the caller) so the
 * original file still loads. Only a value that is clearly meant as PostgreSQL and is broken fails.
 */
export function parseCoreConnectionString(text: string): CoreParse {
  const trimmed = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const parsed = parsePostgresUrl(trimmed);
    return parsed.ok ? { kind: 'postgres', connectionString: parsed.value } : { kind: 'invalid', reason: parsed.reason };
  }
  if (looksLikeLibpq(trimmed)) {
    const parsed = parseLibpq(trimmed);
    return parsed.ok ? { kind: 'postgres', connectionString: parsed.value } : { kind: 'invalid', reason: parsed.reason };
  }
  if (scheme !== undefined) return { kind: 'ignored', reason: `is a ${scheme}:// URL, not PostgreSQL` };
  const pairs = parseAdoNet(trimmed);
  if (pairs && looksLikeSqlServer(pairs)) return { kind: 'ignored', reason: 'is a SQL Server connection string (the original\'s Hangfire storage)' };
  if (pairs) return { kind: 'ignored', reason: 'is an ADO.NET connection string, not PostgreSQL' };
  return { kind: 'ignored', reason: 'is not a PostgreSQL connection string' };
}

/** The shop database for a human: where it is, password hidden. */
export function describeSink(sink: SinkDatabaseConfig): string {
  switch (sink.kind) {
    case 'embedded':
      return 'embedded (a table in the core database)';
    case 'postgres':
      return `PostgreSQL ${maskPostgresUrl(sink.connectionString)}`;
    case 'mysql':
      return `MySQL/MariaDB ${encodeURIComponent(sink.user)}${sink.password ? ':***' : ''}@${sink.host}:${sink.port}/${sink.database}`;
  }
}
