import { invalidRequest } from './errors.ts';
import { parseQuantity } from './quantity.ts';
import { effectiveLocationMode, type AdjustmentLocationMode } from './switches.ts';

/**
 * Checks a BatchChangeInventory body the way Square does and turns it into plain changes. Every
 * change is checked before any is applied: one bad change rejects the whole request.
 */
export interface ParsedCount {
  type: 'PHYSICAL_COUNT';
  catalogObjectId: string;
  state: string;
  locationId: string;
  units: number;
  occurredAt: number;
  source: Record<string, unknown>;
}

export interface ParsedAdjustment {
  type: 'ADJUSTMENT';
  catalogObjectId: string;
  fromState: string;
  toState: string;
  fromLocationId: string;
  toLocationId: string;
  /** Which spelling the client used, echoed back in the response. */
  form: 'legacy' | 'split';
  units: number;
  occurredAt: number;
  source: Record<string, unknown>;
}

export type ParsedChange = ParsedCount | ParsedAdjustment;

export interface ParsedBatch {
  idempotencyKey: string;
  changes: ParsedChange[];
  ignoreUnchangedCounts: boolean;
}

export interface ParseContext {
  isVariation(id: string): boolean;
  isKnownObject(id: string): boolean;
  isLocation(id: string): boolean;
  mode: AdjustmentLocationMode;
  squareVersion: string;
}

export const MAX_CHANGES = 100;
/** States an adjustment may take stock from; NONE and UNLINKED_RETURN bring new stock in. */
const FROM_STATES = new Set(['IN_STOCK', 'WASTE', 'SOLD', 'NONE', 'UNLINKED_RETURN']);
const TO_STATES = new Set(['IN_STOCK', 'WASTE', 'SOLD']);
const COUNT_STATES = new Set(['IN_STOCK', 'WASTE']);
/** Square's read-only states: visible in counts, never writable through the API. */
const READ_ONLY_STATES = new Set(['CUSTOM', 'RETURNED_BY_CUSTOMER', 'RESERVED_FOR_SALE', 'SOLD_ONLINE', 'ORDERED_FROM_VENDOR', 'RECEIVED_FROM_VENDOR', 'IN_TRANSIT', 'IN_TRANSIT_TO']);
/** Every InventoryState value (SDK v46 adds UNTRACKED); anything else is not a state at all. */
const ALL_STATES = new Set([...FROM_STATES, ...TO_STATES, ...READ_ONLY_STATES, 'COMPOSED', 'DECOMPOSED', 'SUPPORTED_BY_NEWER_VERSION', 'UNTRACKED']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalString(object: Record<string, unknown>, name: string, field: string, max: number): string | undefined {
  const value = object[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest('EXPECTED_STRING', `Expected a string for ${name}.`, field);
  if (value.length > max) throw invalidRequest('VALUE_TOO_LONG', `${name} must be at most ${max} characters.`, field);
  return value;
}

function requiredString(object: Record<string, unknown>, name: string, field: string, max: number): string {
  const value = optionalString(object, name, field, max);
  if (value === undefined || value === '') throw invalidRequest('MISSING_REQUIRED_PARAMETER', `Missing required parameter ${name}.`, field);
  return value;
}

export function parseBatch(body: unknown, ctx: ParseContext): ParsedBatch {
  if (!isObject(body)) throw invalidRequest('EXPECTED_JSON_BODY', 'The request body must be a JSON object.');
  const key = body.idempotency_key;
  if (key === undefined || key === null) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter idempotency_key.', 'idempotency_key');
  if (typeof key !== 'string') throw invalidRequest('EXPECTED_STRING', 'Expected a string for idempotency_key.', 'idempotency_key');
  if (key.length < 1) throw invalidRequest('VALUE_TOO_SHORT', 'idempotency_key must be at least 1 character.', 'idempotency_key');
  if (key.length > 128) throw invalidRequest('VALUE_TOO_LONG', 'idempotency_key must be at most 128 characters.', 'idempotency_key');
  const ignore = body.ignore_unchanged_counts;
  if (ignore !== undefined && ignore !== null && typeof ignore !== 'boolean') throw invalidRequest('EXPECTED_BOOLEAN', 'Expected a boolean.', 'ignore_unchanged_counts');
  const list = body.changes ?? [];
  if (!Array.isArray(list)) throw invalidRequest('EXPECTED_ARRAY', 'Expected an array for changes.', 'changes');
  if (list.length > MAX_CHANGES) throw invalidRequest('ARRAY_LENGTH_TOO_LONG', `At most ${MAX_CHANGES} changes per request.`, 'changes');
  return { idempotencyKey: key, ignoreUnchangedCounts: ignore !== false, changes: list.map((change, i) => parseChange(change, `changes[${i}]`, ctx)) };
}

function parseChange(change: unknown, field: string, ctx: ParseContext): ParsedChange {
  if (!isObject(change)) throw invalidRequest('EXPECTED_OBJECT', 'Each change must be an object.', field);
  const type = change.type;
  if (type === 'PHYSICAL_COUNT') {
    if (!isObject(change.physical_count)) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'A PHYSICAL_COUNT change needs physical_count.', `${field}.physical_count`);
    return parseCount(change.physical_count, `${field}.physical_count`, ctx);
  }
  if (type === 'ADJUSTMENT') {
    if (!isObject(change.adjustment)) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'An ADJUSTMENT change needs adjustment.', `${field}.adjustment`);
    return parseAdjustment(change.adjustment, `${field}.adjustment`, ctx);
  }
  if (type === 'TRANSFER') {
    throw invalidRequest('INVALID_VALUE', 'TRANSFER changes are retired (Square-Version 2026-07-15); use an ADJUSTMENT with from_location_id and to_location_id.', `${field}.type`);
  }
  if (type === undefined || type === null) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter type.', `${field}.type`);
  throw invalidRequest('INVALID_ENUM_VALUE', `Unknown change type ${JSON.stringify(type)}.`, `${field}.type`);
}

/** Fields common to counts and adjustments: object, quantity, time. */
function parseCommon(object: Record<string, unknown>, field: string, ctx: ParseContext, allowZero: boolean) {
  const catalogObjectId = requiredString(object, 'catalog_object_id', `${field}.catalog_object_id`, 100);
  if (!ctx.isVariation(catalogObjectId)) {
    // Unconfirmed wording; Square answers a 400 for an id that is not a trackable variation.
    const why = ctx.isKnownObject(catalogObjectId) ? 'is not an ITEM_VARIATION' : 'does not exist';
    throw invalidRequest('INVALID_VALUE', `Catalog object ${catalogObjectId} ${why}.`, `${field}.catalog_object_id`);
  }
  const type = optionalString(object, 'catalog_object_type', `${field}.catalog_object_type`, 14);
  if (type !== undefined && type !== 'ITEM_VARIATION') throw invalidRequest('INVALID_VALUE', 'catalog_object_type must be ITEM_VARIATION.', `${field}.catalog_object_type`);
  const quantityText = requiredString(object, 'quantity', `${field}.quantity`, 26);
  const units = parseQuantity(quantityText);
  if (units === null) throw invalidRequest('INVALID_VALUE', `quantity must be a decimal string with at most 5 decimals (got ${JSON.stringify(quantityText)}).`, `${field}.quantity`);
  if (units < 0 || (!allowZero && units === 0)) throw invalidRequest('INVALID_VALUE', `quantity must be ${allowZero ? 'zero or more' : 'above zero'}.`, `${field}.quantity`);
  const occurredText = requiredString(object, 'occurred_at', `${field}.occurred_at`, 34);
  const occurredAt = RFC3339.test(occurredText) ? Date.parse(occurredText) : NaN;
  if (Number.isNaN(occurredAt)) throw invalidRequest('INVALID_TIME', `occurred_at must be an RFC 3339 timestamp (got ${JSON.stringify(occurredText)}).`, `${field}.occurred_at`);
  optionalString(object, 'reference_id', `${field}.reference_id`, 255);
  optionalString(object, 'team_member_id', `${field}.team_member_id`, 100);
  optionalString(object, 'employee_id', `${field}.employee_id`, 100);
  return { catalogObjectId, units, occurredAt };
}

function checkState(value: unknown, allowed: ReadonlySet<string>, field: string, what: string): string {
  if (value === undefined || value === null) throw invalidRequest('MISSING_REQUIRED_PARAMETER', `Missing required parameter ${what}.`, field);
  if (typeof value !== 'string') throw invalidRequest('EXPECTED_STRING', `Expected a string for ${what}.`, field);
  if (allowed.has(value)) return value;
  if (!ALL_STATES.has(value)) throw invalidRequest('INVALID_ENUM_VALUE', `Unknown inventory state ${JSON.stringify(value)}.`, field);
  const reason = READ_ONLY_STATES.has(value) ? 'is read-only for the API' : value === 'NONE' ? 'can only be a from_state' : 'is not allowed here';
  throw invalidRequest('INVALID_VALUE', `Inventory state ${value} ${reason}.`, field);
}

function checkLocation(id: string, field: string, ctx: ParseContext): string {
  if (!ctx.isLocation(id)) throw invalidRequest('INVALID_VALUE', `Location ${id} does not exist or is not accessible.`, field);
  return id;
}

function parseCount(object: Record<string, unknown>, field: string, ctx: ParseContext): ParsedCount {
  const common = parseCommon(object, field, ctx, true);
  const state = checkState(object.state, COUNT_STATES, `${field}.state`, 'state');
  const locationId = checkLocation(requiredString(object, 'location_id', `${field}.location_id`, 100), `${field}.location_id`, ctx);
  return { type: 'PHYSICAL_COUNT', ...common, state, locationId, source: object };
}

function parseAdjustment(object: Record<string, unknown>, field: string, ctx: ParseContext): ParsedAdjustment {
  const common = parseCommon(object, field, ctx, false);
  const fromState = checkState(object.from_state, FROM_STATES, `${field}.from_state`, 'from_state');
  const toState = checkState(object.to_state, TO_STATES, `${field}.to_state`, 'to_state');
  const where = resolveLocations(object, field, ctx);
  if (fromState === toState && where.from === where.to) {
    throw invalidRequest('INVALID_VALUE', 'from_state and to_state are the same at the same location: nothing would move.', `${field}.to_state`);
  }
  return { type: 'ADJUSTMENT', ...common, fromState, toState, fromLocationId: where.from, toLocationId: where.to, form: where.form, source: object };
}

/** Applies the adjustmentLocation switch (see switches.ts) to the location fields. */
function resolveLocations(object: Record<string, unknown>, field: string, ctx: ParseContext): { from: string; to: string; form: 'legacy' | 'split' } {
  const legacy = optionalString(object, 'location_id', `${field}.location_id`, 100);
  const from = optionalString(object, 'from_location_id', `${field}.from_location_id`, 100);
  const to = optionalString(object, 'to_location_id', `${field}.to_location_id`, 100);
  const mode = effectiveLocationMode(ctx.mode, ctx.squareVersion);
  const split = from !== undefined || to !== undefined;
  if (mode === 'legacy-only') {
    if (split) throw invalidRequest('INVALID_VALUE', `from_location_id/to_location_id are not accepted at Square-Version ${ctx.squareVersion}; use location_id.`, `${field}.${from !== undefined ? 'from_location_id' : 'to_location_id'}`);
    if (legacy === undefined) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter location_id.', `${field}.location_id`);
    checkLocation(legacy, `${field}.location_id`, ctx);
    return { from: legacy, to: legacy, form: 'legacy' };
  }
  if (mode === 'both-required') {
    if (legacy !== undefined) throw invalidRequest('INVALID_VALUE', `location_id is retired at Square-Version ${ctx.squareVersion}; use from_location_id and to_location_id.`, `${field}.location_id`);
    if (from === undefined) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter from_location_id.', `${field}.from_location_id`);
    if (to === undefined) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter to_location_id.', `${field}.to_location_id`);
    return { from: checkLocation(from, `${field}.from_location_id`, ctx), to: checkLocation(to, `${field}.to_location_id`, ctx), form: 'split' };
  }
  if (mode === 'retired-legacy' && legacy !== undefined && !split) {
    throw invalidRequest('INVALID_VALUE', `location_id is retired at Square-Version ${ctx.squareVersion}; use from_location_id and to_location_id.`, `${field}.location_id`);
  }
  // either (and retired-legacy past that check): any one spelling names the location; mixing them must agree.
  const named = [legacy, from, to].filter((v): v is string => v !== undefined);
  if (named.length === 0) throw invalidRequest('MISSING_REQUIRED_PARAMETER', 'An adjustment needs location_id, or from_location_id and to_location_id.', `${field}.from_location_id`);
  if (legacy !== undefined && named.some((v) => v !== legacy)) {
    throw invalidRequest('CONFLICTING_PARAMETERS', 'location_id disagrees with from_location_id/to_location_id.', `${field}.location_id`);
  }
  const resolvedFrom = from ?? to ?? legacy!;
  const resolvedTo = to ?? from ?? legacy!;
  checkLocation(resolvedFrom, `${field}.${from !== undefined ? 'from_location_id' : to !== undefined ? 'to_location_id' : 'location_id'}`, ctx);
  checkLocation(resolvedTo, `${field}.${to !== undefined ? 'to_location_id' : from !== undefined ? 'from_location_id' : 'location_id'}`, ctx);
  return { from: resolvedFrom, to: resolvedTo, form: split ? 'split' : 'legacy' };
}
