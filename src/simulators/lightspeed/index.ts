import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildSimulatorApp, createKit, listen, SimAdminError, type SimulatorDefinition } from '../kit/server.ts';
import { checkSwitches, readNumberSwitch, readSwitch, type Simulator, type SimulatorOptions } from '../kit/options.ts';
import { generateSeed, parseSeed, type SeedFile } from '../kit/seed.ts';
import { registerApi } from './api.ts';
import { LeakyBucket, type BucketConfig } from './bucket.ts';
import type { LightspeedContext } from './context.ts';
import { lsErrorBody } from './format.ts';
import { registerTokenRoutes, TokenService } from './oauth.ts';
import { checkLightspeedSeed, LightspeedStore } from './store.ts';

/** Lightspeed Retail R-Series (API V3) simulator: one account, OAuth with rotation, leaky bucket. */
export const LIGHTSPEED_SWITCHES = ['tokenTtlSeconds', 'bucketSize', 'dripRate', 'burstLimit', 'orCosts', 'refreshLimitPerMinute', 'taxRatePercent', 'publicUrl'] as const;

export interface LightspeedSimulatorOptions extends SimulatorOptions {}

export interface LightspeedSimulator extends Simulator {
  /** Live state, for in-process tests (swapped on reset, so read it through the getter). */
  readonly store: LightspeedStore;
  readonly tokens: TokenService;
  /** Successful token refreshes (both endpoints) since start or the last reset. */
  refreshCount(): number;
  /** The bucket level (drips) of the seeded OAuth client, after the drip up to now. */
  bucketLevel(): number;
}

export const lightspeedIds = { item: (i: number) => String(i + 1), location: (i: number) => String(i + 1) };

function positive(name: string, value: number, allowZero = false): number {
  if (allowZero ? value < 0 : value <= 0) throw new RangeError(`switch ${name} must be ${allowZero ? 'zero or more' : 'above 0'} (got ${value})`);
  return value;
}

export async function startLightspeedSimulator(options: LightspeedSimulatorOptions = {}): Promise<LightspeedSimulator> {
  const switches = options.switches;
  checkSwitches(switches, LIGHTSPEED_SWITCHES, 'lightspeed');
  const ttlSeconds = positive('tokenTtlSeconds', readNumberSwitch(switches, 'tokenTtlSeconds', 1800));
  const bucketConfig: BucketConfig = {
    size: positive('bucketSize', readNumberSwitch(switches, 'bucketSize', 90)),
    dripRate: positive('dripRate', readNumberSwitch(switches, 'dripRate', 1)),
    // The real burst limiter is always on: 1-second windows, a fraction of the bucket (the docs'
    // example shows 20 with a bucket of 90). 0 turns it off, for tests of the bucket alone.
    burstLimit: positive('burstLimit', readNumberSwitch(switches, 'burstLimit', 20), true),
  };
  const orCosts = readSwitch(switches, 'orCosts', ['on', 'off'], 'on') === 'on';
  const refreshLimitPerMinute = positive('refreshLimitPerMinute', readNumberSwitch(switches, 'refreshLimitPerMinute', 5), true);
  const taxRatePercent = positive('taxRatePercent', readNumberSwitch(switches, 'taxRatePercent', 0), true);
  const publicUrl = switches?.publicUrl?.replace(/\/+$/, '') ?? null;

  const seed: SeedFile = options.seed
    ? parseSeed(options.seed)
    : generateSeed({ items: options.items ?? 250, locations: options.locations ?? 2, ids: lightspeedIds, randomSeed: options.randomSeed });
  checkLightspeedSeed(seed);
  const kit = createKit(options);
  const given = seed.credentials ?? {};
  const accountID = given.accountID ?? '184512';
  const clientId = given.clientId ?? 'possync-sim-client';
  const clientSecret = given.clientSecret ?? randomBytes(24).toString('hex');
  const employeeID = '1';
  const firstShop = seed.locations[0]!.id;

  const tokens = new TokenService(
    {
      accountID,
      clientId,
      clientSecret,
      employeeID,
      ttlSeconds,
      refreshLimitPerMinute,
      seedRefreshToken: given.refreshToken ?? randomBytes(48).toString('base64url'),
      seedAccessToken: given.accessToken,
    },
    kit.clock.now,
  );
  const buckets = new Map<string, LeakyBucket>();
  const ctx: LightspeedContext = {
    kit,
    store: new LightspeedStore(seed, kit.clock.now()),
    tokens,
    accountID,
    accountName: given.accountName ?? 'possync simulated shop',
    taxRatePercent,
    publicUrl,
    orCosts,
    bucketFor(id) {
      let bucket = buckets.get(id);
      if (!bucket) {
        bucket = new LeakyBucket(bucketConfig, kit.clock.now);
        buckets.set(id, bucket);
      }
      return bucket;
    },
  };
  let baseUrl = '';

  const inStore = (item: string, location: string) => {
    if (!ctx.store.items.has(item)) throw new SimAdminError(404, `unknown item ${item}`);
    if (!ctx.store.shops.has(location)) throw new SimAdminError(404, `unknown shop ${location} (shop 0 is a derived total)`);
  };

  const definition: SimulatorDefinition = {
    name: 'lightspeed',
    errorReply(_kind, status, message, retryAfterSeconds) {
      if (status !== 429) return { status, body: lsErrorBody(status, message) };
      const seconds = retryAfterSeconds ?? 1;
      return {
        status,
        body: lsErrorBody(429, message),
        headers: ctx.bucketFor(clientId).peekHeaders(accountID, clientId, 'api-leaky-bucket', seconds),
      };
    },
    routes: async (scope: FastifyInstance) => {
      registerTokenRoutes(scope, () => tokens);
      await registerApi(scope, ctx);
    },
    inventory: {
      itemIds: () => [...ctx.store.items.keys()],
      locationIds: () => [...ctx.store.shops.keys()],
      quantity: (item, location) => ctx.store.qoh(item, location),
      adjust(item, location, delta) {
        inStore(item, location);
        ctx.store.moveStock(item, location, delta, kit.clock.now());
        kit.ledger.record({ source: 'in_store', kind: 'adjustment', item, location, quantity: delta });
      },
      set(item, location, quantity) {
        inStore(item, location);
        ctx.store.setQoh(item, location, quantity, kit.clock.now());
        kit.ledger.record({ source: 'in_store', kind: 'stock_set', item, location, quantity });
      },
      defaultLocation: () => firstShop,
      hasItem: (item) => ctx.store.items.has(item),
      hasLocation: (location) => ctx.store.shops.has(location),
    },
    credentials() {
      const latest = tokens.latest();
      return {
        accountID,
        clientId,
        clientSecret,
        refreshToken: latest.refreshToken,
        accessToken: latest.accessToken,
        accessTokenExpiresAt: new Date(latest.accessTokenExpiresAt).toISOString(),
        shopIds: [...ctx.store.shops.keys()],
        employeeID,
        registerID: [...ctx.store.registers.values()].find((r) => r.shopID === firstShop)!.registerID,
        paymentTypeID: '3',
        apiBaseUrl: `${publicUrl ?? baseUrl}/API/V3`,
        tokenUrl: `${publicUrl ?? baseUrl}/auth/oauth/token`,
        refreshCount: tokens.refreshCount,
      };
    },
    reset() {
      ctx.store = new LightspeedStore(seed, kit.clock.now());
      tokens.reset();
      buckets.clear();
    },
    adminRoutes(admin) {
      admin.get('/oauth', async () => ({
        refreshCount: tokens.refreshCount,
        refreshAttempts: tokens.refreshAttempts,
        activeRefreshTokens: tokens.activeRefreshTokens(),
      }));
      admin.get('/bucket', async () => ({ level: ctx.bucketFor(clientId).level(), ...bucketConfig }));
    },
  };

  const app = await buildSimulatorApp(definition, kit);
  const running = await listen(app, { host: options.host, port: options.port });
  baseUrl = running.url;
  return {
    ...running,
    name: 'lightspeed',
    kit,
    credentials: () => definition.credentials(),
    get store() {
      return ctx.store;
    },
    tokens,
    refreshCount: () => tokens.refreshCount,
    bucketLevel: () => ctx.bucketFor(clientId).level(),
  };
}
