import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialization } from 'square';
import {
  loadSquareSpecValidator,
  pointerToField,
  toSquareError,
  type SpecProblem,
} from './spec-validator.ts';

// Valid bodies go through the official SDK's own serializers, so they are byte-for-byte what
// `square` puts on the wire (snake_case, undefined dropped); invalid ones are written by hand
// because the SDK refuses to serialize most of them.
const sdkOptions = { unrecognizedObjectKeys: 'strip', omitUndefined: true } as const;

/** What the SDK's fetcher sends: its serializer output, stringified with int64 bigints as plain numbers. */
function onTheWire<T>(schema: { jsonOrThrow(value: T, options: typeof sdkOptions): unknown }, value: T): any {
  const text = JSON.stringify(schema.jsonOrThrow(value, sdkOptions), (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  return JSON.parse(text);
}

const validator = loadSquareSpecValidator();

const pointers = (problems: SpecProblem[]): string[] => problems.map((p) => p.pointer);

test('loads the spec once and compiles an operation (load time: bench/simulators.bench.ts)', () => {
  assert.deepEqual(validator.validateRequestBody('POST', '/v2/inventory/changes/batch-create', { idempotency_key: 'k' }), []);
  assert.equal(loadSquareSpecValidator(), validator, 'singleton');
});

test('findOperation matches templates, path params, methods and strips query strings', () => {
  assert.deepEqual(validator.findOperation('GET', '/v2/catalog/object/ABC123'), {
    operationId: 'RetrieveCatalogObject',
    pathTemplate: '/v2/catalog/object/{object_id}',
  });
  assert.deepEqual(validator.findOperation('get', '/v2/catalog/list?types=ITEM,ITEM_VARIATION&cursor=abc'), {
    operationId: 'ListCatalog',
    pathTemplate: '/v2/catalog/list',
  });
  assert.equal(validator.findOperation('DELETE', '/v2/webhooks/subscriptions/wbhk_b35f6b3145074cf9ad513610786c19d5')?.operationId, 'DeleteWebhookSubscription');
  assert.equal(validator.findOperation('GET', '/v2/webhooks/subscriptions?include_disabled=true')?.operationId, 'ListWebhookSubscriptions');
  assert.equal(validator.findOperation('POST', '/v2/webhooks/subscriptions')?.operationId, 'CreateWebhookSubscription');
  assert.equal(validator.findOperation('POST', '/v2/inventory/counts/batch-retrieve')?.operationId, 'BatchRetrieveInventoryCounts');
  assert.equal(validator.findOperation('POST', '/v2/inventory/batch-retrieve-counts')?.operationId, 'DeprecatedBatchRetrieveInventoryCounts');
  assert.equal(validator.findOperation('POST', '/v2/inventory/batch-change')?.operationId, 'DeprecatedBatchChangeInventory');
  assert.equal(validator.findOperation('GET', 'https://connect.squareupsandbox.com/v2/locations')?.operationId, 'ListLocations');
  // A literal segment beats a parameter: /v2/inventory/{catalog_object_id} must not swallow these.
  assert.equal(validator.findOperation('GET', '/v2/inventory/adjustments/ADJ1')?.pathTemplate, '/v2/inventory/adjustments/{adjustment_id}');
  assert.equal(validator.findOperation('GET', '/v2/inventory/VAR1')?.pathTemplate, '/v2/inventory/{catalog_object_id}');
  // Wrong method, unknown path, extra segment.
  assert.equal(validator.findOperation('PUT', '/v2/locations'), null);
  assert.equal(validator.findOperation('GET', '/v2/nope'), null);
  assert.equal(validator.findOperation('GET', '/v2/catalog/object/A/B'), null);
});

test('unknown operations produce a single not-in-spec problem', () => {
  for (const problems of [
    validator.validateRequestBody('POST', '/v2/inventory/teleport?x=1', {}),
    validator.validateResponseBody('PATCH', '/v2/locations', 200, {}),
  ]) {
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /not in Square's OpenAPI spec/);
    assert.equal(problems[0]?.pointer, '');
  }
  assert.match(validator.validateRequestBody('POST', '/v2/inventory/teleport?x=1', {})[0]?.message ?? '', /POST \/v2\/inventory\/teleport is/);
});

test('operations without a request body accept anything (GET list, retrieve, delete)', () => {
  assert.deepEqual(validator.validateRequestBody('GET', '/v2/catalog/list?types=ITEM', undefined), []);
  assert.deepEqual(validator.validateRequestBody('GET', '/v2/catalog/object/ABC?include_related_objects=true', undefined), []);
  assert.deepEqual(validator.validateRequestBody('GET', '/v2/locations', undefined), []);
  assert.deepEqual(validator.validateRequestBody('GET', '/v2/webhooks/subscriptions', undefined), []);
  assert.deepEqual(validator.validateRequestBody('DELETE', '/v2/webhooks/subscriptions/wbhk_1', undefined), []);
});

test('a required request body that is missing is reported', () => {
  const problems = validator.validateRequestBody('POST', '/v2/inventory/changes/batch-create', undefined);
  assert.deepEqual(problems, [{ where: 'request', pointer: '', message: 'request body is required' }]);
  assert.equal(toSquareError(problems[0]!).code, 'EXPECTED_JSON_BODY');
});

// ---------------------------------------------------------------- inventory: counts

for (const path of ['/v2/inventory/counts/batch-retrieve', '/v2/inventory/batch-retrieve-counts']) {
  test(`POST ${path}: valid and invalid requests`, () => {
    const body = onTheWire(serialization.BatchGetInventoryCountsRequest, 
      { catalogObjectIds: ['W62UWFY35CWMYGVWK6TWJDNI'], locationIds: ['59TNP9SA8VGDA'], states: ['IN_STOCK', 'SOLD'], limit: 1000, updatedAfter: '2016-11-16T00:00:00.000Z' });
    assert.deepEqual(validator.validateRequestBody('POST', path, body), []);
    assert.deepEqual(validator.validateRequestBody('POST', path, {}), [], 'every field is optional');
    assert.deepEqual(validator.validateRequestBody('POST', path, { cursor: null, states: null }), [], 'nullable fields take null');

    const bad = validator.validateRequestBody('POST', path, { states: ['IN_STOCK', 'ON_THE_MOON'], limit: 5000 });
    assert.deepEqual(pointers(bad), ['/states/1', '/limit']);
    assert.match(bad[0]!.message, /allowed values: CUSTOM, IN_STOCK, SOLD,.* \(got "ON_THE_MOON"\)/);
    assert.equal(bad[1]!.message, 'must be <= 1000');

    assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { limit: 0 })), ['/limit']);
    assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { limit: 2.5 })), ['/limit']);
    assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { catalog_object_ids: 'W62UWFY' })), ['/catalog_object_ids']);
    assert.deepEqual(pointers(validator.validateRequestBody('POST', path, [])), ['']);
  });

  test(`POST ${path}: responses`, () => {
    const ok = onTheWire(serialization.BatchGetInventoryCountsResponse, 
      {
        counts: [{ catalogObjectId: 'W62UWFY35CWMYGVWK6TWJDNI', catalogObjectType: 'ITEM_VARIATION', state: 'IN_STOCK', locationId: '59TNP9SA8VGDA', quantity: '79', calculatedAt: '2016-11-16T22:28:01.223Z' }],
        cursor: 'next',
      });
    assert.deepEqual(validator.validateResponseBody('POST', path, 200, ok), []);
    assert.deepEqual(validator.validateResponseBody('POST', path, 200, {}), []);

    const numeric = validator.validateResponseBody('POST', path, 200, { counts: [{ state: 'IN_STOCK', quantity: 79 }] });
    assert.deepEqual(numeric, [{ where: 'response', pointer: '/counts/0/quantity', message: 'must be string or null (got 79)' }]);
    assert.deepEqual(pointers(validator.validateResponseBody('POST', path, 200, { counts: [{ state: 'LOST' }] })), ['/counts/0/state']);
  });
}

// ---------------------------------------------------------------- inventory: changes

const adjustmentChange = {
  type: 'ADJUSTMENT' as const,
  adjustment: {
    fromState: 'IN_STOCK' as const,
    toState: 'SOLD' as const,
    fromLocationId: 'L1',
    toLocationId: 'L1',
    catalogObjectId: 'VAR1',
    quantity: '2',
    occurredAt: '2026-07-20T10:00:00Z',
  },
};

for (const path of ['/v2/inventory/changes/batch-create', '/v2/inventory/batch-change']) {
  test(`POST ${path}: SDK bodies, including the 2026-07-15 from/to location ids`, () => {
    const body = onTheWire(serialization.BatchChangeInventoryRequest, 
      {
        idempotencyKey: '8fc6a5b0-9fe8-4b46-b46b-2ef95793abbe',
        ignoreUnchangedCounts: true,
        changes: [
          adjustmentChange,
          {
            type: 'PHYSICAL_COUNT',
            physicalCount: { catalogObjectId: 'VAR1', locationId: 'L1', state: 'IN_STOCK', quantity: '53', occurredAt: '2026-07-20T10:00:00Z' },
          },
        ],
      });
    const adjustment = (body as { changes: { adjustment?: Record<string, unknown> }[] }).changes[0]?.adjustment;
    assert.equal(adjustment?.from_location_id, 'L1', 'the SDK really sends from_location_id');
    assert.equal('location_id' in (adjustment ?? {}), false, 'and no location_id');
    assert.deepEqual(validator.validateRequestBody('POST', path, body), []);
    // SDK 46 no longer knows TRANSFER (2026-07-15 moves transfers into adjustments), but the
    // 2025-08-20 spec still lists it and the version patch leaves it alone.
    const transfer = { type: 'TRANSFER', transfer: { catalog_object_id: 'VAR1', from_location_id: 'L1', to_location_id: 'L2', state: 'IN_STOCK', quantity: '1' } };
    assert.deepEqual(validator.validateRequestBody('POST', path, { idempotency_key: 'k', changes: [transfer] }), []);
  });

  test(`POST ${path}: invalid requests`, () => {
    const missing = validator.validateRequestBody('POST', path, { changes: [] });
    assert.deepEqual(missing, [{ where: 'request', pointer: '/idempotency_key', message: "must have required property 'idempotency_key'" }]);

    const tooLong = validator.validateRequestBody('POST', path, { idempotency_key: 'k'.repeat(200) });
    assert.deepEqual(tooLong, [{ where: 'request', pointer: '/idempotency_key', message: 'must NOT have more than 128 characters' }]);
    assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { idempotency_key: '' })), ['/idempotency_key']);

    const problems = validator.validateRequestBody('POST', path, {
      idempotency_key: 'k',
      changes: [
        { type: 'TRANSFER_X', transfer: { from_location_id: 'L1', to_location_id: 'L2', quantity: '1' } },
        { type: 'ADJUSTMENT', adjustment: { from_state: 'ON_HAND', to_state: 'SOLD', from_location_id: 'L'.repeat(101), quantity: 1 } },
      ],
    });
    assert.deepEqual(pointers(problems), [
      '/changes/0/type',
      '/changes/1/adjustment/from_state',
      '/changes/1/adjustment/quantity',
      '/changes/1/adjustment/from_location_id',
    ]);
    assert.match(problems[0]!.message, /^must be equal to one of the allowed values: PHYSICAL_COUNT, ADJUSTMENT, TRANSFER \(got "TRANSFER_X"\)$/);
    assert.equal(problems[3]!.message, 'must NOT have more than 100 characters');
  });

  test(`POST ${path}: responses`, () => {
    const ok = onTheWire(serialization.BatchChangeInventoryResponse, 
      {
        counts: [{ catalogObjectId: 'VAR1', catalogObjectType: 'ITEM_VARIATION', state: 'IN_STOCK', locationId: 'L1', quantity: '51', calculatedAt: '2026-07-20T10:00:01Z' }],
        changes: [
          {
            type: 'ADJUSTMENT',
            adjustment: { id: 'ADJ1', fromState: 'IN_STOCK', toState: 'SOLD', fromLocationId: 'L1', toLocationId: 'L1', catalogObjectId: 'VAR1', catalogObjectType: 'ITEM_VARIATION', quantity: '2', occurredAt: '2026-07-20T10:00:00Z', createdAt: '2026-07-20T10:00:01Z', source: { product: 'EXTERNAL_API', applicationId: 'sq0idp-x', name: 'possync' } },
          },
        ],
      });
    assert.deepEqual(validator.validateResponseBody('POST', path, 200, ok), []);
    assert.deepEqual(
      pointers(validator.validateResponseBody('POST', path, 200, { changes: [{ type: 'ADJUSTMENT', adjustment: { from_state: 'IN_STOCK', to_state: 'SOLD', quantity: 2 } }] })),
      ['/changes/0/adjustment/quantity'],
    );
  });
}

test('the 2026-07-15 patch adds only from/to_location_id, with location_id still optional', () => {
  const path = '/v2/inventory/changes/batch-create';
  const adjust = (adjustment: Record<string, unknown>) => validator.validateRequestBody('POST', path, { idempotency_key: 'k', changes: [{ type: 'ADJUSTMENT', adjustment }] });
  assert.deepEqual(adjust({ from_state: 'IN_STOCK', to_state: 'SOLD', from_location_id: 'L1', to_location_id: 'L1', quantity: '1' }), []);
  assert.deepEqual(adjust({ from_state: 'IN_STOCK', to_state: 'SOLD', location_id: 'L1', quantity: '1' }), [], 'the old field still validates');
  assert.deepEqual(pointers(adjust({ from_location_id: 7, to_location_id: 'x'.repeat(101) })), ['/changes/0/adjustment/from_location_id', '/changes/0/adjustment/to_location_id']);
  // The patch touched InventoryAdjustment only: physical counts have no such fields to type-check.
  assert.deepEqual(validator.validateRequestBody('POST', path, { idempotency_key: 'k', changes: [{ type: 'PHYSICAL_COUNT', physical_count: { from_location_id: 7 } }] }), []);
});

test('readOnly: accepted in requests, and required readOnly fields still enforced in responses', () => {
  // Clients may echo server-set fields back; Square ignores them rather than rejecting.
  const echoed = { idempotency_key: 'k', changes: [{ type: 'ADJUSTMENT', adjustment: { from_state: 'IN_STOCK', to_state: 'SOLD', quantity: '1', created_at: '2026-07-20T10:00:00Z' } }] };
  assert.deepEqual(validator.validateRequestBody('POST', '/v2/inventory/changes/batch-create', echoed), []);
  // No request body in this spec reaches a schema that requires a readOnly field (only
  // LoyaltyEvent* and CustomerSegment do, all response-side), so the request-side relaxation is
  // latent; the response side keeps them required.
  const events = validator.validateResponseBody('POST', '/v2/loyalty/events/search', 200, { events: [{ type: 'OTHER' }] });
  assert.deepEqual(pointers(events), ['/events/0/id', '/events/0/created_at', '/events/0/loyalty_account_id', '/events/0/source']);
});

// ---------------------------------------------------------------- catalog

const variation = {
  type: 'ITEM_VARIATION' as const,
  id: 'VAR1',
  version: BigInt(1753000000000),
  isDeleted: false,
  presentAtAllLocations: true,
  itemVariationData: { itemId: 'ITEM1', name: 'Regular', sku: 'SKU-1', pricingType: 'FIXED_PRICING' as const, priceMoney: { amount: BigInt(1500), currency: 'USD' as const }, trackInventory: true },
};
const item = {
  type: 'ITEM' as const,
  id: 'ITEM1',
  updatedAt: '2026-07-20T10:00:00Z',
  version: BigInt(1753000000000),
  isDeleted: false,
  presentAtAllLocations: true,
  itemData: { name: 'Mug', productType: 'REGULAR' as const, variations: [variation] },
};

test('GET /v2/catalog/list: responses', () => {
  const ok = onTheWire(serialization.ListCatalogResponse, { objects: [item], cursor: 'c' });
  assert.deepEqual(validator.validateResponseBody('GET', '/v2/catalog/list?types=ITEM', 200, ok), []);
  const bad = validator.validateResponseBody('GET', '/v2/catalog/list', 200, { objects: [{ type: 'WIDGET', id: 'X' }, { type: 'ITEM' }] });
  assert.deepEqual(pointers(bad), ['/objects/0/type', '/objects/1/id']);
  assert.deepEqual(
    pointers(validator.validateResponseBody('GET', '/v2/catalog/list', 200, { objects: [{ ...ok.objects?.[0], version: '12' }] })),
    ['/objects/0/version'],
    'version is an int64 number on the wire',
  );
});

test('GET /v2/catalog/object/{object_id}: responses', () => {
  const ok = onTheWire(serialization.GetCatalogObjectResponse, { object: variation, relatedObjects: [item] });
  assert.deepEqual(validator.validateResponseBody('GET', '/v2/catalog/object/VAR1?include_related_objects=true', 200, ok), []);
  assert.deepEqual(
    pointers(validator.validateResponseBody('GET', '/v2/catalog/object/VAR1', 200, { object: { type: 'ITEM_VARIATION', id: 'VAR1', item_variation_data: { price_money: { amount: '15.00' } } } })),
    ['/object/item_variation_data/price_money/amount'],
  );
});

test('POST /v2/catalog/search-catalog-items: requests and responses', () => {
  const path = '/v2/catalog/search-catalog-items';
  const body = onTheWire(serialization.SearchCatalogItemsRequest, 
    { textFilter: 'mug', enabledLocationIds: ['L1'], stockLevels: ['OUT', 'LOW'], productTypes: ['REGULAR'], sortOrder: 'ASC', limit: 100, cursor: 'c' });
  assert.deepEqual(validator.validateRequestBody('POST', path, body), []);
  assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { limit: 500, stock_levels: ['NONE'], sort_order: 'UP' })), ['/stock_levels/0', '/limit', '/sort_order']);

  const ok = onTheWire(serialization.SearchCatalogItemsResponse, { items: [item], matchedVariationIds: ['VAR1'], cursor: 'c' });
  assert.deepEqual(validator.validateResponseBody('POST', path, 200, ok), []);
  assert.deepEqual(pointers(validator.validateResponseBody('POST', path, 200, { items: {} })), ['/items']);
});

test('POST /v2/catalog/search: requests and responses', () => {
  const path = '/v2/catalog/search';
  const body = onTheWire(serialization.SearchCatalogObjectsRequest, 
    {
      objectTypes: ['ITEM_VARIATION'],
      includeRelatedObjects: true,
      limit: 100,
      query: { exactQuery: { attributeName: 'sku', attributeValue: 'SKU-1' } },
    });
  assert.deepEqual(validator.validateRequestBody('POST', path, body), []);
  assert.deepEqual(validator.validateRequestBody('POST', path, { query: { prefix_query: { attribute_name: 'name', attribute_prefix: 'mu' } } }), []);
  const bad = validator.validateRequestBody('POST', path, { object_types: ['ITEM', 'GADGET'], query: { exact_query: { attribute_name: 'sku' } }, limit: '10' });
  assert.deepEqual(pointers(bad), ['/object_types/1', '/query/exact_query/attribute_value', '/limit']);

  const ok = onTheWire(serialization.SearchCatalogObjectsResponse, { objects: [variation], relatedObjects: [item], latestTime: '2026-07-20T10:00:00Z' });
  assert.deepEqual(validator.validateResponseBody('POST', path, 200, ok), []);
});

test('POST /v2/catalog/batch-retrieve: requests and responses', () => {
  const path = '/v2/catalog/batch-retrieve';
  const body = onTheWire(serialization.BatchGetCatalogObjectsRequest, { objectIds: ['VAR1', 'ITEM1'], includeRelatedObjects: true, catalogVersion: BigInt(1753000000000) });
  assert.deepEqual(validator.validateRequestBody('POST', path, body), []);
  assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { include_related_objects: true })), ['/object_ids']);
  assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { object_ids: ['A', 3], catalog_version: 1.5 })), ['/object_ids/1', '/catalog_version']);

  const ok = onTheWire(serialization.BatchGetCatalogObjectsResponse, { objects: [variation], relatedObjects: [item] });
  assert.deepEqual(validator.validateResponseBody('POST', path, 200, ok), []);
});

// ---------------------------------------------------------------- locations

test('GET /v2/locations: responses', () => {
  const ok = onTheWire(serialization.ListLocationsResponse, 
    {
      locations: [
        {
          id: 'L1',
          name: 'Main street',
          status: 'ACTIVE',
          type: 'PHYSICAL',
          currency: 'USD',
          country: 'US',
          timezone: 'America/Los_Angeles',
          capabilities: ['CREDIT_CARD_PROCESSING'],
          merchantId: 'M1',
          createdAt: '2020-01-01T00:00:00Z',
          address: { addressLine1: '1 Main St', locality: 'Springfield', administrativeDistrictLevel1: 'CA', postalCode: '94000', country: 'US' },
        },
      ],
    });
  assert.deepEqual(validator.validateResponseBody('GET', '/v2/locations', 200, ok), []);
  assert.deepEqual(
    pointers(validator.validateResponseBody('GET', '/v2/locations', 200, { locations: [{ id: 'L1', status: 'OPEN', currency: 'DOLLARS' }] })),
    ['/locations/0/status', '/locations/0/currency'],
  );
});

// ---------------------------------------------------------------- webhooks

test('POST /v2/webhooks/subscriptions: requests and responses', () => {
  const path = '/v2/webhooks/subscriptions';
  const body = onTheWire(serialization.webhooks.subscriptions.CreateWebhookSubscriptionRequest, 
    {
      idempotencyKey: '63f84c6c-2200-4c99-846c-2670a1311fbf',
      subscription: { name: 'possync', eventTypes: ['inventory.count.updated'], notificationUrl: 'https://example.test/hooks/square', apiVersion: '2026-07-15' },
    });
  assert.deepEqual(validator.validateRequestBody('POST', path, body), []);
  assert.deepEqual(pointers(validator.validateRequestBody('POST', path, { idempotency_key: 'k' })), ['/subscription']);
  assert.deepEqual(
    pointers(validator.validateRequestBody('POST', path, { idempotency_key: 'k'.repeat(46), subscription: { name: 'n'.repeat(65), event_types: 'inventory.count.updated', enabled: 'yes' } })),
    ['/idempotency_key', '/subscription/name', '/subscription/enabled', '/subscription/event_types'],
  );

  const ok = onTheWire(serialization.CreateWebhookSubscriptionResponse, 
    {
      subscription: {
        id: 'wbhk_1', name: 'possync', enabled: true, eventTypes: ['inventory.count.updated'], notificationUrl: 'https://example.test/hooks/square',
        apiVersion: '2026-07-15', signatureKey: 'sig', createdAt: '2026-07-20 10:00:00 +0000 UTC', updatedAt: '2026-07-20 10:00:00 +0000 UTC',
      },
    });
  assert.deepEqual(validator.validateResponseBody('POST', path, 200, ok), []);
  assert.deepEqual(pointers(validator.validateResponseBody('POST', path, 200, { subscription: { id: 'w'.repeat(65) } })), ['/subscription/id']);
});

test('GET /v2/webhooks/subscriptions: responses', () => {
  const ok = onTheWire(serialization.ListWebhookSubscriptionsResponse, 
    { subscriptions: [{ id: 'wbhk_1', name: 'possync', enabled: true, eventTypes: ['inventory.count.updated'], notificationUrl: 'https://example.test/h', apiVersion: '2026-07-15' }] });
  assert.deepEqual(validator.validateResponseBody('GET', '/v2/webhooks/subscriptions?include_disabled=true&limit=100', 200, ok), []);
  assert.deepEqual(pointers(validator.validateResponseBody('GET', '/v2/webhooks/subscriptions', 200, { subscriptions: [{ enabled: 'true' }] })), ['/subscriptions/0/enabled']);
});

test('DELETE /v2/webhooks/subscriptions/{subscription_id}: responses', () => {
  const path = '/v2/webhooks/subscriptions/wbhk_1';
  assert.deepEqual(validator.validateResponseBody('DELETE', path, 200, onTheWire(serialization.DeleteWebhookSubscriptionResponse, {})), []);
  assert.deepEqual(pointers(validator.validateResponseBody('DELETE', path, 200, [])), ['']);
  // Square answers 200 with `{}`, never 204; an undeclared 2xx is a simulator bug.
  assert.match(validator.validateResponseBody('DELETE', path, 204, undefined)[0]?.message ?? '', /status 204 is not declared for DeleteWebhookSubscription \(declared: 200\)/);
});

// ---------------------------------------------------------------- error responses

test('non-2xx responses must be a non-empty errors list of Error', () => {
  const path = '/v2/inventory/changes/batch-create';
  const notFound = { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: 'Object not found', field: 'catalog_object_id' }] };
  assert.deepEqual(validator.validateResponseBody('POST', path, 404, notFound), []);
  assert.deepEqual(validator.validateResponseBody('GET', '/v2/locations', 401, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED' }] }), []);
  assert.deepEqual(validator.validateResponseBody('GET', '/v2/locations', 429, { errors: [{ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED' }] }), []);

  const badCategory = validator.validateResponseBody('POST', path, 400, { errors: [{ category: 'CLIENT_ERROR', code: 'INVALID_VALUE' }] });
  assert.deepEqual(pointers(badCategory), ['/errors/0/category']);
  assert.match(badCategory[0]!.message, /allowed values: API_ERROR, AUTHENTICATION_ERROR, INVALID_REQUEST_ERROR/);
  const badCode = validator.validateResponseBody('POST', path, 400, { errors: [{ category: 'API_ERROR', code: 'OOPS' }] });
  assert.match(badCode[0]!.message, /\.\.\. \(\d+ more\) \(got "OOPS"\)$/, 'long enums are cut short');
  assert.deepEqual(pointers(validator.validateResponseBody('POST', path, 400, { errors: [{ detail: 'x' }] })), ['/errors/0/category', '/errors/0/code']);
  assert.deepEqual(pointers(validator.validateResponseBody('POST', path, 500, { message: 'boom' })), ['/errors']);
  assert.deepEqual(pointers(validator.validateResponseBody('POST', path, 500, { errors: [] })), ['/errors']);
});

// ---------------------------------------------------------------- Square error mapping

test('toSquareError maps each kind of failure to Square error codes and dotted fields', () => {
  const problemFor = (path: string, body: unknown): SpecProblem => {
    const problems = validator.validateRequestBody('POST', path, body);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    return problems[0]!;
  };
  const change = '/v2/inventory/changes/batch-create';
  const counts = '/v2/inventory/counts/batch-retrieve';
  const cases: [SpecProblem, string, string | undefined][] = [
    [problemFor(change, { idempotency_key: 'k', changes: [{ adjustment: { from_state: 'X' } }] }), 'INVALID_ENUM_VALUE', 'changes[0].adjustment.from_state'],
    [problemFor(change, {}), 'MISSING_REQUIRED_PARAMETER', 'idempotency_key'],
    [problemFor('/v2/catalog/search', { query: { exact_query: { attribute_value: 'v' } } }), 'MISSING_REQUIRED_PARAMETER', 'query.exact_query.attribute_name'],
    [problemFor(change, { idempotency_key: 'k'.repeat(129) }), 'VALUE_TOO_LONG', 'idempotency_key'],
    [problemFor(change, { idempotency_key: '' }), 'VALUE_TOO_SHORT', 'idempotency_key'],
    [problemFor(counts, { limit: 5000 }), 'VALUE_TOO_HIGH', 'limit'],
    [problemFor(counts, { limit: 0 }), 'VALUE_TOO_LOW', 'limit'],
    [problemFor(counts, { limit: '5' }), 'EXPECTED_INTEGER', 'limit'],
    [problemFor(counts, { cursor: 5 }), 'EXPECTED_STRING', 'cursor'],
    [problemFor(counts, { states: 'IN_STOCK' }), 'EXPECTED_ARRAY', 'states'],
    [problemFor(change, { idempotency_key: 'k', ignore_unchanged_counts: 'yes' }), 'EXPECTED_BOOLEAN', 'ignore_unchanged_counts'],
    [problemFor(change, { idempotency_key: 'k', changes: ['x'] }), 'EXPECTED_OBJECT', 'changes[0]'],
    [problemFor(counts, 'not an object'), 'EXPECTED_OBJECT', undefined],
  ];
  for (const [problem, code, field] of cases) {
    const error = toSquareError(problem);
    assert.equal(error.category, 'INVALID_REQUEST_ERROR');
    assert.equal(error.code, code, problem.message);
    assert.equal(error.field, field);
    assert.ok(error.detail.includes(problem.message));
  }
  assert.equal(toSquareError({ where: 'request', pointer: '/items/0', message: 'must NOT have more than 2 items' }).code, 'ARRAY_LENGTH_TOO_LONG');
  assert.equal(toSquareError({ where: 'request', pointer: '/a', message: 'must match pattern "^x$"' }).code, 'INVALID_VALUE');
  assert.deepEqual(toSquareError(problemFor(change, { idempotency_key: 'k', changes: [{ type: 'TRANSFER_X' }] })), {
    category: 'INVALID_REQUEST_ERROR',
    code: 'INVALID_ENUM_VALUE',
    detail: '`changes[0].type` must be equal to one of the allowed values: PHYSICAL_COUNT, ADJUSTMENT, TRANSFER (got "TRANSFER_X")',
    field: 'changes[0].type',
  });
  // The Square error it produces is itself a valid Square error response.
  const error = toSquareError(problemFor(counts, { limit: 5000 }));
  assert.deepEqual(validator.validateResponseBody('POST', counts, 400, { errors: [error] }), []);
});

test('pointerToField handles nesting, indexes and escaped segments', () => {
  assert.equal(pointerToField(''), '');
  assert.equal(pointerToField('/changes/0/adjustment/from_state'), 'changes[0].adjustment.from_state');
  assert.equal(pointerToField('/objects/2/item_data/variations/0/id'), 'objects[2].item_data.variations[0].id');
  assert.equal(pointerToField('/a~1b/c~0d'), 'a/b.c~d');
});
