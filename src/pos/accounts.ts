/**
 * What one configured POS account needs to connect, per POS. The config loader builds these from
 * appsettings.json (original keys plus ours); each adapter factory takes its own member.
 */
export type PosType = 'square' | 'lightspeed' | 'hiboutik';

export interface SquareConnection {
  pos: 'square';
  /** https://connect.squareup.com in production; a simulator's URL in the demo and tests. */
  baseUrl: string;
  accessToken: string;
  /** Counts are summed over these locations; sales are posted to the first. */
  locationIds: string[];
  /** Square-Version to send; the SDK's own (2026-09-16) when absent. */
  squareVersion?: string;
}

export interface LightspeedConnection {
  pos: 'lightspeed';
  /** https://api.lightspeedapp.com in production. */
  apiBaseUrl: string;
  /** https://cloud.lightspeedapp.com/auth/oauth/token in production. */
  tokenUrl: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** The refresh token from the config: used only until a rotated one is stored in the core. */
  refreshToken: string;
  accessToken?: string;
  shopId: string;
  employeeId: string;
  registerId: string;
  paymentTypeId: string;
  customerId?: string;
}

export interface HiboutikConnection {
  pos: 'hiboutik';
  /** https://{account}.hiboutik.com/api in production. */
  baseUrl: string;
  accountName: string;
  email: string;
  apiKey: string;
  storeId: string;
  warehouseId: string;
  customerId?: string;
  /** Calls per calendar month (the original's MaximumRequests). */
  maximumRequests: number;
  /** Calls kept back from polling for posting sales. */
  reserveForSales: number;
}

export type PosConnection = SquareConnection | LightspeedConnection | HiboutikConnection;

/** How an account's changes reach possync between full polls (issue 11); set per POS by the config reader. */
export interface RealtimeConfig {
  /** Seconds between change polls (POS with a change feed: Lightspeed); null = none. */
  changePollSeconds: number | null;
  /** A webhook set up by hand in the POS's back office (Square): its signature key and exact URL. */
  webhook?: { signatureKey: string; url?: string };
}

import type { BreakerSettings } from '../config/breaker.ts';

export interface AccountConfig {
  /** The original's AccountID (or AccountName); what the API's account_id refers to. */
  id: string;
  name: string;
  connection: PosConnection;
  /** Absent = no change polls, webhooks only as set up with `possync webhooks setup`. */
  realtime?: RealtimeConfig;
  /**
   * Items not confirmed by the POS for longer than this many seconds count as stale; absent =
   * Synchronizer.MaxItemAgeSeconds, else twice the poll interval of the schedule in force.
   */
  maxItemAgeSeconds?: number;
  /** The breaker's thresholds for this account (the global Breaker section with its own overrides); absent = defaults. */
  breaker?: BreakerSettings;
}
