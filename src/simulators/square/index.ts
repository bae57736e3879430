import type { FastifyInstance } from 'fastify';
import { buildSimulatorApp, createKit, listen, SimAdminError, type SimulatorDefinition } from '../kit/server.ts';
import type { Simulator, SimulatorOptions } from '../kit/options.ts';
import { generateSeed, parseSeed, type SeedFile } from '../kit/seed.ts';
import { hashId, squareIdStyle } from './ids.ts';
import { squareErrorReply } from './errors.ts';
import { SquareState } from './state.ts';
import { SquareWebhooks, type Subscription } from './webhooks.ts';
import { readSquareSwitches, type SquareSwitches } from './switches.ts';
import { loadSpecValidator, type SpecViolation } from './validation.ts';
import { registerSquareRoutes } from './routes.ts';
import { fromUnits, toUnits } from './quantity.ts';
import type { ParsedChange } from './changes.ts';
import type { SquareContext } from './context.ts';

export type { SquareSwitches } from './switches.ts';
export type { SpecViolation } from './validation.ts';

export interface SquareSimulatorOptions extends SimulatorOptions {
  /** A subscription to create at start (and again on reset), e.g. possync's webhook endpoint. */
  webhook?: { notificationUrl: string; signatureKey?: string };
}

export interface SquareSimulator extends Simulator {
  state: SquareState;
  webhooks: SquareWebhooks;
  switches: SquareSwitches;
  /** Responses the OpenAPI file rejects (empty when validate=off). Tests assert this stays empty. */
  specViolations(): SpecViolation[];
  clearSpecViolations(): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Deprecated aliases share their successor's counter and fault rules. */
const ALIASES: Record<string, string> = {
  'POST /v2/inventory/batch-retrieve-counts': 'POST /v2/inventory/counts/batch-retrieve',
  'POST /v2/inventory/batch-change': 'POST /v2/inventory/changes/batch-create',
};

export async function startSquareSimulator(options: SquareSimulatorOptions = {}): Promise<SquareSimulator> {
  const switches = readSquareSwitches(options.switches);
  const seed: SeedFile = options.seed
    ? parseSeed(options.seed)
    : generateSeed({ items: options.items ?? 50, locations: options.locations ?? 2, ids: squareIdStyle, randomSeed: options.randomSeed ?? 42 });
  const kit = createKit(options);
  const validator = switches.validate ? loadSpecValidator() : null;

  const anchor = seed.locations[0]!.id;
  const merchantId = `M${hashId(`square-merchant:${anchor}`, 12)}`;
  const applicationId = `sandbox-sq0idb-${hashId(`square-app:${anchor}`, 22)}`;
  const accessToken = seed.credentials?.accessToken ?? seed.credentials?.token ?? `EAAAl${hashId(`square-token:${anchor}`, 59)}`;
  // Seeded counts are a day old (whole seconds), so every later write is newer.
  const seededAt = Math.floor((kit.clock.now() - DAY_MS) / 1000) * 1000;
  const state = new SquareState({ seed, kit, merchantId, applicationId, currency: 'USD', seededAt });
  const webhooks = new SquareWebhooks(kit, merchantId, (row) => state.countJson(row));
  state.onMoved = (rows) => webhooks.emit(rows);

  const seededUrl = options.webhook?.notificationUrl ?? seed.credentials?.webhookUrl;
  const seededKey = options.webhook?.signatureKey ?? seed.credentials?.webhookSignatureKey;
  const subscribeSeeded = () => {
    if (seededUrl === undefined) return;
    webhooks.create({ notificationUrl: seededUrl, apiVersion: switches.squareVersion, signatureKey: seededKey ?? hashId(`square-signature:${seededUrl}`, 22).toLowerCase() });
  };
  subscribeSeeded();

  const violations: SpecViolation[] = [];
  const ctx: SquareContext = { kit, state, webhooks, switches, accessToken: () => accessToken, validator, violations };
  const locationIds = seed.locations.map((l) => l.id);

  /** In-store moves go through the same history as API writes, journalled as `in_store`. */
  const inStore = (change: ParsedChange, ignoreUnchangedCounts = false) => {
    state.apply([change], { source: 'in_store', ignoreUnchangedCounts });
  };

  const credentials = () => {
    const first: Subscription | undefined = webhooks.list()[0];
    return {
      accessToken,
      locationIds,
      locationId: locationIds[0],
      merchantId,
      applicationId,
      squareVersion: switches.squareVersion,
      ...(first ? { webhookSubscriptionId: first.id, webhookNotificationUrl: first.notification_url, webhookSignatureKey: first.signature_key } : {}),
    };
  };

  const definition: SimulatorDefinition = {
    name: 'square',
    errorReply: squareErrorReply,
    endpointKey: (method, url) => ALIASES[`${method} ${url}`] ?? `${method} ${url}`,
    routes: (scope) => registerSquareRoutes(scope, ctx),
    inventory: {
      itemIds: () => seed.items.map((i) => i.id),
      locationIds: () => locationIds,
      quantity: (item, location) => {
        const row = state.inventory.get(item, location, 'IN_STOCK');
        return row ? fromUnits(row.units) : null;
      },
      adjust: (item, location, delta) => {
        if (delta === 0) return;
        const sale = delta < 0;
        inStore({
          type: 'ADJUSTMENT',
          catalogObjectId: item,
          fromState: sale ? 'IN_STOCK' : 'NONE',
          toState: sale ? 'SOLD' : 'IN_STOCK',
          fromLocationId: location,
          toLocationId: location,
          form: 'split',
          units: toUnits(Math.abs(delta)),
          occurredAt: kit.clock.now(),
          source: {},
        });
      },
      set: (item, location, quantity) => {
        if (quantity < 0) throw new SimAdminError(400, 'a physical count cannot be negative');
        inStore({ type: 'PHYSICAL_COUNT', catalogObjectId: item, state: 'IN_STOCK', locationId: location, units: toUnits(quantity), occurredAt: kit.clock.now(), source: {} });
      },
      defaultLocation: () => locationIds[0]!,
      hasItem: (item) => state.catalog.variation(item) !== undefined,
      hasLocation: (location) => state.hasLocation(location),
    },
    credentials,
    reset: () => {
      state.reset();
      webhooks.clear();
      subscribeSeeded();
      violations.length = 0;
    },
    adminRoutes: (admin: FastifyInstance) => {
      admin.post<{ Body: { notification_url?: unknown; signature_key?: unknown; event_types?: unknown } }>('/webhooks/subscriptions', async (request, reply) => {
        const { notification_url: url, signature_key: key, event_types: types } = request.body ?? {};
        if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new SimAdminError(400, 'notification_url must be an http(s) URL');
        if (key !== undefined && (typeof key !== 'string' || key === '')) throw new SimAdminError(400, 'signature_key must be a non-empty string');
        if (types !== undefined && !(Array.isArray(types) && types.every((t) => typeof t === 'string'))) throw new SimAdminError(400, 'event_types must be a list of strings');
        const subscription = webhooks.create({
          notificationUrl: url,
          apiVersion: switches.squareVersion,
          ...(typeof key === 'string' ? { signatureKey: key } : {}),
          ...(Array.isArray(types) ? { eventTypes: types as string[] } : {}),
        });
        return reply.code(201).send({ subscription });
      });
      admin.get('/webhooks/subscriptions', async () => ({ subscriptions: webhooks.list() }));
      admin.get('/spec-violations', async () => ({ validating: validator !== null, violations }));
      admin.delete('/spec-violations', async () => {
        violations.length = 0;
        return { violations };
      });
    },
  };

  const app = await buildSimulatorApp(definition, kit);
  const running = await listen(app, { ...(options.host === undefined ? {} : { host: options.host }), ...(options.port === undefined ? {} : { port: options.port }) });
  return {
    ...running,
    name: 'square',
    kit,
    credentials,
    state,
    webhooks,
    switches,
    specViolations: () => [...violations],
    clearSpecViolations: () => {
      violations.length = 0;
    },
  };
}
