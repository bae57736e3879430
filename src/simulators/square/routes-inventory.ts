import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from './errors.ts';
import { endpointOf, isObject, versionOf, type SquareContext } from './context.ts';
import { decodeCursor, encodeCursor, fingerprint } from './cursor.ts';
import { UNTRACKED_STATES } from './inventory.ts';
import { parseBatch } from './changes.ts';

/** BatchRetrieveInventoryCounts and BatchChangeInventory, each with its deprecated alias. */
const INVENTORY_STATES = new Set([
  'CUSTOM', 'IN_STOCK', 'SOLD', 'RETURNED_BY_CUSTOMER', 'RESERVED_FOR_SALE', 'SOLD_ONLINE', 'ORDERED_FROM_VENDOR', 'RECEIVED_FROM_VENDOR',
  'IN_TRANSIT_TO', 'NONE', 'WASTE', 'UNLINKED_RETURN', 'COMPOSED', 'DECOMPOSED', 'SUPPORTED_BY_NEWER_VERSION', 'IN_TRANSIT', 'UNTRACKED',
]);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function stringList(body: Record<string, unknown>, name: string): string[] | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw invalidRequest('EXPECTED_ARRAY', `Expected an array for ${name}.`, name);
  value.forEach((v, i) => {
    if (typeof v !== 'string') throw invalidRequest('EXPECTED_STRING', `Expected a string in ${name}.`, `${name}[${i}]`);
  });
  return value as string[];
}

const isPosition = (p: unknown): p is { t: number; s: number } =>
  isObject(p) && Number.isSafeInteger(p.t) && Number.isSafeInteger(p.s);

export function registerInventoryRoutes(api: FastifyInstance, ctx: SquareContext): void {
  const retrieve = async (request: FastifyRequest) => {
    const body = request.body ?? {};
    if (!isObject(body)) throw invalidRequest('EXPECTED_JSON_BODY', 'The request body must be a JSON object.');
    const ids = stringList(body, 'catalog_object_ids');
    const locations = stringList(body, 'location_ids');
    const states = stringList(body, 'states');
    states?.forEach((s, i) => {
      if (!INVENTORY_STATES.has(s)) throw invalidRequest('INVALID_ENUM_VALUE', `Unknown inventory state ${JSON.stringify(s)}.`, `states[${i}]`);
    });
    let updatedAfter: number | null = null;
    if (body.updated_after !== undefined && body.updated_after !== null) {
      const text = body.updated_after;
      updatedAfter = typeof text === 'string' && RFC3339.test(text) ? Date.parse(text) : NaN;
      if (Number.isNaN(updatedAfter)) throw invalidRequest('INVALID_TIME', 'updated_after must be an RFC 3339 timestamp.', 'updated_after');
    }
    let limit = ctx.switches.countsDefaultLimit;
    if (body.limit !== undefined && body.limit !== null) {
      if (!Number.isInteger(body.limit)) throw invalidRequest('EXPECTED_INTEGER', 'limit must be an integer.', 'limit');
      limit = body.limit as number;
      if (limit < 1) throw invalidRequest('VALUE_TOO_LOW', 'limit must be at least 1.', 'limit');
      if (limit > 1000) throw invalidRequest('VALUE_TOO_HIGH', 'limit must be at most 1000.', 'limit');
    }
    const cursor = body.cursor;
    if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') throw invalidRequest('EXPECTED_STRING', 'cursor must be a string.', 'cursor');
    // The cursor is bound to the filters (not to limit, which a client may change between pages).
    const query = fingerprint({ ids, locations, states, updatedAfter });
    const after = typeof cursor === 'string' && cursor !== '' ? decodeCursor(cursor, 'counts', query, isPosition) : null;
    // Untracked states (NONE, SOLD, UNLINKED_RETURN) are ignored in the filter, as documented.
    const stateFilter = states === null ? null : new Set(states.filter((s) => !UNTRACKED_STATES.has(s)));
    const page = ctx.state.inventory.page({
      variationIds: ids === null ? null : new Set(ids),
      locationIds: locations === null ? null : new Set(locations),
      states: stateFilter,
      updatedAfter,
      after,
      limit,
    });
    return {
      ...(page.rows.length > 0 ? { counts: page.rows.map((row) => ctx.state.countJson(row)) } : {}),
      ...(page.next ? { cursor: encodeCursor('counts', query, page.next) } : {}),
    };
  };

  const change = async (request: FastifyRequest) => {
    const body = request.body;
    const key = isObject(body) ? body.idempotency_key : undefined;
    const print = fingerprint(body);
    if (typeof key === 'string' && key.length >= 1 && key.length <= 128) {
      const stored = ctx.state.idempotency.get(key);
      if (stored) {
        // Same key, same body: the original answer again and no new write. Other body: refused.
        if (stored.fingerprint === print) return stored.body;
        throw invalidRequest('IDEMPOTENCY_KEY_REUSED', `The idempotency key ${key} was already used for a different request.`, 'idempotency_key');
      }
    }
    const batch = parseBatch(body, {
      isVariation: (id) => ctx.state.catalog.variation(id) !== undefined,
      isKnownObject: (id) => ctx.state.catalog.object(id) !== undefined,
      isLocation: (id) => ctx.state.hasLocation(id),
      mode: ctx.switches.adjustmentLocation,
      squareVersion: versionOf(request, ctx),
    });
    const applied = ctx.state.apply(batch.changes, {
      source: 'api',
      idempotencyKey: batch.idempotencyKey,
      endpoint: endpointOf(request),
      ignoreUnchangedCounts: batch.ignoreUnchangedCounts,
    });
    const answer = {
      ...(applied.counts.length > 0 ? { counts: applied.counts.map((row) => ctx.state.countJson(row)) } : {}),
      ...(applied.changes.length > 0 ? { changes: applied.changes } : {}),
    };
    ctx.state.idempotency.set(batch.idempotencyKey, { fingerprint: print, status: 200, body: answer });
    return answer;
  };

  const read = { config: { scope: 'INVENTORY_READ' } } as const;
  const write = { config: { scope: 'INVENTORY_WRITE' } } as const;
  api.post('/v2/inventory/counts/batch-retrieve', read, retrieve);
  api.post('/v2/inventory/batch-retrieve-counts', read, retrieve);
  api.post('/v2/inventory/changes/batch-create', write, change);
  api.post('/v2/inventory/batch-change', write, change);
}
