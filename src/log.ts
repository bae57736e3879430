/**
 * The service's one logger: pino (Fastify's own), JSON lines by default, readable with `pretty`.
 * Redaction is the logger's job, not each caller's: known secret-bearing fields are removed by
 * path, and every line is scrubbed of the configuration's secrets and of credential-looking
 * texts before it is written, so a POS error that quotes a token cannot carry it into a log.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import { redact } from './redact.ts';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** ASP.NET's level names (the original's `Logging.LogLevel.Default`) onto pino's. */
const ASPNET_LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  information: 'info',
  info: 'info',
  warning: 'warn',
  warn: 'warn',
  error: 'error',
  critical: 'fatal',
  fatal: 'fatal',
  none: 'silent',
  silent: 'silent',
};

/** The pino level for an ASP.NET or pino level name (any case), or undefined when unknown. */
export function parseLogLevel(text: string): LogLevel | undefined {
  return ASPNET_LEVELS[text.trim().toLowerCase()];
}

export const LEVEL_NAMES = 'Trace, Debug, Information, Warning, Error, Critical or None (or trace, debug, info, warn, error, fatal, silent)';

/** Field paths whose values never reach a log line, whatever object carries them. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.apiKey',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.api_key',
  'password',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'apiKey',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Human-readable lines (colours when the destination is a terminal) instead of JSON. */
  pretty?: boolean;
  /** Exact values to scrub from every line (the configuration's tokens, keys and passwords). */
  secrets?: readonly string[];
  /** Where lines go; default stdout. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** Shorter values would scrub ordinary words out of every line. */
const MIN_SECRET_LENGTH = 4;

/** Replaces every known secret, raw and as JSON escapes it, then credential-looking texts. */
export function scrubber(secrets: readonly string[]): (line: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
    needles.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const needle of ordered) if (out.includes(needle)) out = out.split(needle).join('[secret]');
    return redact(out);
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const stream: DestinationStream = options.pretty
    ? pretty({
        destination: destination as NodeJS.WritableStream,
        sync: true,
        colorize: (destination as { isTTY?: boolean }).isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : (destination as DestinationStream);
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'possync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[secret]' },
      hooks: { streamWrite: scrubber(options.secrets ?? []) },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}

/** A logger that writes nothing (tests that do not look at logs, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger whose lines are handed, as parsed objects, to `sink` (tests and the demo's indented output). */
export function collectingLogger(sink: (entry: Record<string, unknown>, line: string) => void, options: Omit<LoggerOptions, 'destination' | 'pretty'> = {}): Logger {
  return createLogger({
    ...options,
    level: options.level ?? 'trace',
    destination: {
      write(line: string) {
        sink(JSON.parse(line) as Record<string, unknown>, line);
        return true;
      },
    } as DestinationStream,
  });
}
