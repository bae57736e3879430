import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createOffsetClock, type Clock } from './clock.ts';
import { createRandom, type Random } from './random.ts';
import { Ledger, type LedgerKind, type LedgerSource } from './ledger.ts';
import { Stats } from './stats.ts';
import { FaultInjector, FaultSpecError, type FaultRule, type FaultSpec } from './faults.ts';
import { WebhookSender } from './webhooks.ts';
import { startActivity, type ActivityHandle, type InStoreInventory } from './activity.ts';

/** The parts every simulator shares; tests reach them directly when the simulator runs in-process. */
export interface SimulatorKit {
  clock: Clock;
  random: Random;
  ledger: Ledger;
  stats: Stats;
  faults: FaultInjector;
  webhooks: WebhookSender;
}

export interface KitOptions {
  clock?: Clock;
  randomSeed?: number;
  webhookRetryDelaysMs?: number[];
}

export function createKit(options: KitOptions = {}): SimulatorKit {
  const clock = options.clock ?? createOffsetClock();
  const random = createRandom(options.randomSeed ?? 7);
  return {
    clock,
    random,
    ledger: new Ledger(clock.now),
    stats: new Stats(),
    faults: new FaultInjector(random),
    webhooks: new WebhookSender({ now: clock.now, retryDelaysMs: options.webhookRetryDelaysMs }),
  };
}

export type ErrorKind = 'error' | 'rate_limit' | 'bad_request' | 'not_found';

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Raised by a simulator's admin hooks (unknown item, bad quantity) and answered as 4xx JSON. */
export class SimAdminError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What one POS simulator plugs into the shared server. */
export interface SimulatorDefinition {
  name: string;
  /** The POS's own error body for a status (used for injected faults, 404s and parse errors). */
  errorReply(kind: ErrorKind, status: number, message: string, retryAfterSeconds?: number | null): ErrorReply;
  /** Registers the POS routes; hooks added here do not touch /__sim. */
  routes(scope: FastifyInstance): void | Promise<void>;
  /** Groups aliases under one counter name (e.g. Hiboutik's /apirest/ under /api/). */
  endpointKey?(method: string, routeUrl: string): string;
  inventory: InStoreInventory & {
    /** Sets an absolute count the way an in-store count would; fires webhooks where the POS has them. */
    set(item: string, location: string, quantity: number): void;
    /** The location used when an admin call names none. */
    defaultLocation(): string;
    hasItem(item: string): boolean;
    hasLocation(location: string): boolean;
  };
  credentials(): Record<string, unknown>;
  /** Back to the seeded state: stock, tokens, sales, idempotency keys. */
  reset(): void;
  /** Extra admin routes under /__sim (optional). */
  adminRoutes?(scope: FastifyInstance): void;
}

export interface RunningSimulator {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

const routeKey = (request: FastifyRequest, definition: SimulatorDefinition): string => {
  const url = request.routeOptions.url ?? '<unmatched>';
  return definition.endpointKey ? definition.endpointKey(request.method, url) : `${request.method} ${url}`;
};

function dropConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

function clientGone(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Builds the Fastify app: the POS routes behind stats and fault hooks, and the /__sim admin API. */
export async function buildSimulatorApp(definition: SimulatorDefinition, kit: SimulatorKit): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  let activity: ActivityHandle | null = null;

  app.setNotFoundHandler((request, reply) => {
    const answer = definition.errorReply('not_found', 404, `No route for ${request.method} ${request.url}`);
    reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const endpoint = routeKey(request, definition);
      kit.stats.request(endpoint);
      for (const fault of kit.faults.draw(endpoint, 'before')) {
        kit.stats.fault(fault.kind);
        if (fault.kind === 'latency') {
          await delay(fault.latencyMs);
        } else if (fault.kind === 'hang') {
          // Held until the client gives up (then nothing is written) or the test releases it (then
          // it carries on): unlike a fixed latency, which side moves first does not depend on load.
          if (!(await kit.faults.hold(clientGone(request.raw.socket)))) {
            kit.stats.status(endpoint, 'hung');
            reply.hijack();
            return reply;
          }
        } else if (fault.kind === 'reset') {
          kit.stats.status(endpoint, 'reset');
          dropConnection(request, reply);
          return reply;
        } else {
          const answer =
            fault.kind === 'rate_limit'
              ? definition.errorReply('rate_limit', 429, 'Injected rate limit', fault.retryAfterSeconds)
              : definition.errorReply('error', fault.status, 'Injected server error');
          return reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
        }
      }
    });

    scope.addHook('onSend', async (request, reply, payload) => {
      const endpoint = routeKey(request, definition);
      kit.stats.status(endpoint, reply.statusCode);
      if (reply.statusCode >= 400) return payload;
      for (const fault of kit.faults.draw(endpoint, 'after')) {
        kit.stats.fault(fault.kind);
        if (fault.kind === 'malformed') return corrupt(payload);
        if (fault.kind === 'drop_items') return dropItems(payload, fault.keepShare);
        // timeout_after_commit: the write is done; the client waits and then loses the connection.
        await delay(fault.holdMs);
        request.raw.socket.destroy();
      }
      return payload;
    });

    scope.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      const answer = definition.errorReply(status === 500 ? 'error' : 'bad_request', status, status === 500 ? 'Internal error' : error.message);
      reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
    });

    await definition.routes(scope);
  });

  await app.register(
    async (admin) => {
      // GET /__sim/ lists every admin route (this simulator's own included), for a new user.
      const adminRoutes: Array<{ method: string; path: string }> = [];
      admin.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') adminRoutes.push({ method, path: route.url });
      });
      admin.get('/', async () => ({ routes: adminRoutes, docs: 'docs/simulators.md' }));

      admin.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
        const status = error instanceof FaultSpecError || error instanceof RangeError ? 400 : (error.statusCode ?? 500);
        reply.code(status).send({ error: error.message });
      });

      admin.get('/credentials', async () => definition.credentials());

      admin.get<{ Querystring: { source?: LedgerSource; kind?: LedgerKind; reference?: string } }>('/ledger', async (request) => ({
        entries: kit.ledger.list(request.query),
      }));

      admin.get('/stats', async () => kit.stats.snapshot());

      admin.get('/faults', async () => ({ faults: kit.faults.list() }));
      admin.post<{ Body: FaultSpec | FaultSpec[] }>('/faults', async (request, reply) => {
        const specs = Array.isArray(request.body) ? request.body : [request.body];
        if (specs.some((s) => typeof s !== 'object' || s === null)) throw new FaultSpecError('body must be a fault or a list of faults');
        const added: FaultRule[] = specs.map((spec) => kit.faults.add(spec));
        return reply.code(201).send({ faults: added });
      });
      admin.post('/faults/release', async () => ({ released: kit.faults.release() }));
      admin.delete('/faults', async () => {
        kit.faults.clear();
        return { faults: [] };
      });

      admin.post<{ Body: { item?: unknown; location?: unknown; quantity?: unknown; delta?: unknown } }>('/stock', async (request) => {
        const { item, location, quantity, delta } = request.body ?? {};
        if (typeof item !== 'string' || !definition.inventory.hasItem(item)) throw new SimAdminError(404, `unknown item ${JSON.stringify(item)}`);
        const where = location === undefined ? definition.inventory.defaultLocation() : String(location);
        if (!definition.inventory.hasLocation(where)) throw new SimAdminError(404, `unknown location ${JSON.stringify(location)}`);
        if (quantity !== undefined && Number.isInteger(quantity) && delta === undefined) {
          definition.inventory.set(item, where, quantity as number);
        } else if (delta !== undefined && Number.isInteger(delta) && quantity === undefined) {
          definition.inventory.adjust(item, where, delta as number);
        } else {
          throw new SimAdminError(400, 'give exactly one of quantity or delta, as an integer');
        }
        return { item, location: where, quantity: definition.inventory.quantity(item, where) };
      });

      admin.get<{ Querystring: { item?: string } }>('/stock', async (request) => {
        const items = request.query.item ? [request.query.item] : definition.inventory.itemIds();
        return {
          stock: items.map((item) => ({
            item,
            locations: Object.fromEntries(definition.inventory.locationIds().map((l) => [l, definition.inventory.quantity(item, l)])),
          })),
        };
      });

      admin.post('/reset', async () => {
        activity?.stop();
        activity = null;
        kit.faults.clear();
        kit.ledger.clear();
        kit.stats.clear();
        kit.webhooks.clearLog();
        definition.reset();
        return { reset: true };
      });

      admin.get('/clock', async () => ({ now: new Date(kit.clock.now()).toISOString() }));
      admin.post<{ Body: { advanceMs?: unknown } }>('/clock', async (request) => {
        const ms = request.body?.advanceMs;
        if (typeof ms !== 'number' || !(ms >= 0)) throw new SimAdminError(400, 'advanceMs must be a non-negative number');
        kit.clock.advance(ms);
        return { now: new Date(kit.clock.now()).toISOString() };
      });

      admin.post<{ Body: { ratePerSecond?: number; restockShare?: number } }>('/activity', async (request) => {
        activity?.stop();
        activity = startActivity(definition.inventory, kit.random, {
          ratePerSecond: Number(request.body?.ratePerSecond ?? 1),
          restockShare: request.body?.restockShare,
        });
        return { running: true, ...activity.options };
      });
      admin.delete('/activity', async () => {
        activity?.stop();
        const events = activity?.events() ?? 0;
        activity = null;
        return { running: false, events };
      });

      admin.get('/webhooks', async () => ({ deliveries: kit.webhooks.log() }));

      definition.adminRoutes?.(admin);
    },
    { prefix: '/__sim' },
  );

  app.addHook('onClose', async () => {
    activity?.stop();
    await kit.webhooks.close();
  });
  return app;
}

function corrupt(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload ?? {});
  // Cut in the middle and leave an unbalanced brace: no JSON parser accepts it.
  return `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}{"`;
}

/**
 * Keeps the first `keepShare` of the answer's list (the body itself when it is an array, else its
 * first array-valued field) and leaves the rest out: a well-formed but empty or partial answer.
 */
function dropItems(payload: unknown, keepShare: number): unknown {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
  if (text === null) return payload;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return payload;
  }
  const cut = (list: unknown[]) => list.slice(0, Math.floor(list.length * keepShare));
  if (Array.isArray(body)) return JSON.stringify(cut(body));
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const key = Object.keys(record).find((k) => Array.isArray(record[k]));
    if (key !== undefined) return JSON.stringify({ ...record, [key]: cut(record[key] as unknown[]) });
  }
  return payload;
}

/** Listens on host:port (port 0 picks a free one) and hands back the base URL. */
export async function listen(app: FastifyInstance, options: { host?: string; port?: number } = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator did not bind a TCP port');
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    app,
    close: async () => {
      app.server.closeAllConnections?.();
      await app.close();
    },
  };
}
