import type { AccountConfig } from '../pos/accounts.ts';
import type { LogLevel } from '../log.ts';
import type { BreakerSettings } from './breaker.ts';

/**
 * possync's parsed configuration: built once at start-up from appsettings.json (original keys
 * plus possync's own) and the environment, then passed to whatever needs a part of it.
 */
export type CoreDatabaseConfig =
  /** Embedded PGlite in a local folder (the default; no fsync: survives a crash, not a power cut). */
  | { kind: 'pglite'; dataDir: string }
  /** `poolSize`: query connections (Core.PoolSize, default 10); locks have their own (core/postgres.ts). */
  | { kind: 'postgres'; connectionString: string; poolSize?: number };

export type SinkDatabaseConfig =
  /** A table in the core database itself (the zero-setup default). */
  | { kind: 'embedded' }
  | { kind: 'postgres'; connectionString: string }
  | { kind: 'mysql'; host: string; port: number; user: string; password: string; database: string };

/** The shop's table; defaults reproduce the original's `stock` table. */
export interface SinkTableConfig {
  name: string;
  columns: {
    posItemId: string;
    ecommerceId: string;
    quantity: string;
    accountId: string;
    description: string;
    limitQuantity: string;
  };
  /**
   * The shop's own SKU and/or barcode columns, when it has them: auto-match reads its e-commerce
   * ids with these keys and maps them to the POS items carrying the same key (issue 10).
   */
  keyColumns?: ShopKeyColumns;
}

/** Which keys auto-match can take from the shop table. */
export type ShopKey = 'sku' | 'barcode';
export type ShopKeyColumns = Partial<Record<ShopKey, string>>;

export interface ScheduleConfig {
  /** Hangfire's 5-field cron (minute hour day-of-month month day-of-week). */
  cron: string;
  /** IANA zone the cron is read in. */
  timeZone: string;
  /** Whether the synchronizer starts running at boot when no state was stored yet. */
  startOnBoot: boolean;
  /** Default maximum age (seconds) of an item's last POS confirmation; null = twice the poll interval. */
  maxItemAgeSeconds: number | null;
}

export interface LoggingConfig {
  /** From `Logging.LogLevel.Default` (ASP.NET names accepted) or `--log-level`. */
  level: LogLevel;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Keys accepted in the X-Api-Key header; empty = the API is open (loopback use only). */
  apiKeys: string[];
  /**
   * The address POS webhooks reach this service at (https://sync.example.com), used to build the
   * URLs `possync webhooks setup` registers. Absent: http://Host:Port.
   */
  publicUrl?: string;
  limits: ServerLimits;
}

/** What a slow or greedy client may hold of the API server. */
export interface ServerLimits {
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not the time to answer it). */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Open connections at once; more are closed on arrival. */
  maxConnections: number;
}

/** How soon work cut short by a dead process is taken up again (bounded both ways by the loader). */
export interface JobsConfig {
  /**
   * pg-boss fails (and retries) a job whose worker sent no heartbeat for this long: on a shared
   * PostgreSQL, the time before another instance takes up the work of one that died.
   */
  heartbeatSeconds: number;
  /** A dispatcher's lease on an account lasts this long without renewal (renewed every third). */
  dispatchLeaseSeconds: number;
}

export interface DashboardConfig {
  /** The dashboard shows everything and changes nothing (no requeue, trigger, retry, ...). */
  readOnly: boolean;
}

/** How a sale of an item sold from several POS accounts picks its source (core/sales/routing.ts). */
export interface SalesConfig {
  /** `most-available` (default): the source with the most available; `priority`: SourcePriority's order. */
  routing: 'most-available' | 'priority';
  /** Account ids, most preferred first (for `priority`); accounts not listed come after. */
  sourcePriority: string[];
}

export interface PossyncConfig {
  /** The file it came from, or null when built from defaults and the environment alone. */
  source: string | null;
  server: ServerConfig;
  schedule: ScheduleConfig;
  logging: LoggingConfig;
  dashboard: DashboardConfig;
  jobs: JobsConfig;
  sales: SalesConfig;
  core: CoreDatabaseConfig;
  sink: SinkDatabaseConfig;
  sinkTable: SinkTableConfig;
  accounts: AccountConfig[];
  /** The breaker's thresholds every account starts from (each account's are in its AccountConfig). */
  breaker: BreakerSettings;
  /** Things that loaded but deserve a word (an ignored SQL Server connection string, ...). */
  warnings: string[];
}

export const DEFAULT_SINK_TABLE: SinkTableConfig = {
  name: 'stock',
  columns: {
    posItemId: 'idProductPOS',
    ecommerceId: 'idProductEcommerce',
    quantity: 'quantity',
    accountId: 'accountID',
    description: 'description',
    limitQuantity: 'limitQuantity',
  },
};
