/** Defaults for every key possync adds; docs/configuration.md lists the same values. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 5000,
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 30,
  keepAliveTimeoutSeconds: 5,
  maxConnections: 1000,
  cron: '*/5 * * * *',
  timeZone: 'UTC',
  /** The original never started its recurring job by itself: POST /api/synchronizer/start did. */
  startOnBoot: false,
  dataFolder: './.possync/data',
  /** Query connections to a PostgreSQL core (Core.PoolSize); locks have their own (core/postgres.ts). */
  corePoolSize: 10,
  /** The dashboard may act (requeue, trigger, retry, cancel, cron) unless set read-only. */
  dashboardReadOnly: false,
  /** A multi-source item's sale goes to the source with the most available. */
  salesRouting: 'most-available',
  squareBaseUrl: 'https://connect.squareup.com',
  lightspeedApiBaseUrl: 'https://api.lightspeedapp.com',
  lightspeedTokenUrl: 'https://cloud.lightspeedapp.com/auth/oauth/token',
  /** `{AccountName}` is replaced by the account's name. */
  hiboutikBaseUrl: 'https://{AccountName}.hiboutik.com/api',
  /** The original hard-coded 3 ("credit card") in every Lightspeed sale. */
  lightspeedPaymentTypeId: '3',
  /** The original's documented Hiboutik budget. */
  maximumRequests: 10000,
  /** Share of MaximumRequests kept back from polling for posting sales. */
  reserveForSalesShare: 0.1,
  /** A Hiboutik StoreID the original file leaves out: Hiboutik numbers its first store 1. */
  hiboutikStoreId: '1',
  /** Lightspeed change polls (ItemShop rows changed since the last one): 240 calls an hour at idle. */
  changePollSeconds: 15,
  logLevel: 'info',
  /** pg-boss's own default; a dead instance's jobs are failed and retried this long after its last beat. */
  jobHeartbeatSeconds: 30,
  /** A dead dispatcher's account waits this long before another takes its sales over. */
  dispatchLeaseSeconds: 60,
} as const;

/** Bounds of the Jobs keys: pg-boss refuses heartbeats under 10 s; a lease renews every third, so under 5 s it renews too often to be worth it. */
export const JOBS_LIMITS = {
  heartbeatSeconds: { min: 10, max: 3600 },
  dispatchLeaseSeconds: { min: 5, max: 3600 },
} as const;

/** The Jobs section's values when none are configured (tests, bench, config built in code). */
export const DEFAULT_JOBS = { heartbeatSeconds: DEFAULTS.jobHeartbeatSeconds, dispatchLeaseSeconds: DEFAULTS.dispatchLeaseSeconds };
