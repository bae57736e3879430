/**
 * Validates Square API request and response bodies against Square's official OpenAPI 3.0
 * description (spec/square/api.json, vendored unmodified). The simulator's tests run every
 * request it accepts and every response it sends through this, so drift from the real API
 * shows up as a failing test rather than as a surprise in production.
 *
 * OpenAPI 3.0 schemas are not quite JSON Schema, so each component schema is converted once
 * per direction (request / response) into a plain draft-07 schema that Ajv understands:
 *   - `nullable: true` becomes a `null` member of `type` (and of `enum`); Ajv's own
 *     `nullable` support throws next to a `$ref` and does not extend `enum`.
 *   - `$ref` siblings are dropped (OpenAPI 3.0 ignores them) except `nullable`, which Square
 *     uses on refs to mean "may be null": such refs point at a nullable twin of the target.
 *   - readOnly properties are not required in requests, writeOnly ones not in responses.
 *   - descriptions, examples and `x-*` keywords are left out, which keeps Ajv's work small.
 * Validators are compiled lazily per operation and cached.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REQUIRED_BODY_MESSAGE } from './spec-errors.ts';

export { pointerToField, toSquareError, type SquareValidationError, type SquareValidationErrorCode } from './spec-errors.ts';

export interface SpecProblem { where: 'request' | 'response'; pointer: string; message: string }

export interface SquareSpecValidator {
  /** Operation for a concrete path like /v2/catalog/object/ABC (path params matched), or null. */
  findOperation(method: string, path: string): { operationId: string; pathTemplate: string } | null;
  /** Problems with a JSON request body against the operation's requestBody schema ([] when valid or when the operation takes no body). */
  validateRequestBody(method: string, path: string, body: unknown): SpecProblem[];
  /** Problems with a response body: 2xx against the operation's response schema; non-2xx against an `{ errors: Error[] }` shape built from components.schemas.Error. */
  validateResponseBody(method: string, path: string, status: number, body: unknown): SpecProblem[];
}

type Json = Record<string, unknown>;
type Direction = 'request' | 'response';

const SPEC_URL = new URL('../../../spec/square/api.json', import.meta.url);
const REF_PREFIX = '#/components/schemas/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Long enums (ErrorCode has ~150 values) are cut short in messages; the rest is noise. */
const MAX_LISTED_ENUM_VALUES = 20;

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the
// module object, at runtime it is the plugin function carrying a `default` property too.
const addFormats = addFormatsModule.default;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface OperationEntry {
  method: string;
  operationId: string;
  pathTemplate: string;
  pattern: RegExp;
  /** One flag per path segment, true for `{param}`; orders templates so literals win. */
  paramSegments: boolean[];
  requestSchema: unknown;
  requestBodyRequired: boolean;
  responses: Map<string, unknown>;
}

/**
 * Converts OpenAPI 3.0 schemas of one direction into JSON Schema whose refs point into a
 * single Ajv root schema (`rootId`) holding every component under `definitions`.
 */
class SchemaConverter {
  readonly nullableTargets = new Set<string>();
  private nullableDefined = false;

  constructor(
    private readonly components: Json,
    private readonly direction: Direction,
    readonly rootId: string,
  ) {}

  /** The Ajv root: every component, plus a nullable twin for each one a ref marks nullable. */
  buildRoot(): Json {
    const definitions: Json = {};
    for (const [name, schema] of Object.entries(this.components)) definitions[name] = this.convert(schema);
    for (const name of this.nullableTargets) {
      definitions[nullableName(name)] = makeNullable(definitions[name] as Json);
    }
    this.nullableDefined = true;
    return { $id: this.rootId, definitions };
  }

  convert(node: unknown): Json {
    if (!isObject(node)) return {};
    if (typeof node.$ref === 'string') return this.convertRef(node.$ref, node.nullable === true);

    const out: Json = {};
    const nullable = node.nullable === true;
    if (typeof node.type === 'string') out.type = nullable ? [node.type, 'null'] : node.type;
    if (Array.isArray(node.enum)) out.enum = nullable && !node.enum.includes(null) ? [...node.enum, null] : node.enum;

    for (const key of ['minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'format', 'minItems',
      'maxItems', 'uniqueItems', 'multipleOf', 'minProperties', 'maxProperties', 'const'] as const) {
      if (node[key] !== undefined) out[key] = node[key];
    }
    // OpenAPI 3.0 (draft-05 style) exclusive bounds are booleans qualifying minimum/maximum.
    if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
      delete out.minimum;
      out.exclusiveMinimum = node.minimum;
    }
    if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
      delete out.maximum;
      out.exclusiveMaximum = node.maximum;
    }

    if (isObject(node.properties)) {
      const properties: Json = {};
      for (const [name, schema] of Object.entries(node.properties)) properties[name] = this.convert(schema);
      out.properties = properties;
    }
    if (Array.isArray(node.required)) {
      const declared = isObject(node.properties) ? node.properties : {};
      const skipFlag = this.direction === 'request' ? 'readOnly' : 'writeOnly';
      const required = node.required.filter((name): name is string => {
        if (typeof name !== 'string') return false;
        const property = declared[name];
        // A required name with no property schema is a spec defect (RiskEvaluation.status);
        // enforcing it would fail every payment carrying a risk evaluation.
        if (!isObject(property)) return false;
        return property[skipFlag] !== true;
      });
      if (required.length > 0) out.required = required;
    }
    if (node.items !== undefined) out.items = this.convert(node.items);
    if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
    else if (isObject(node.additionalProperties)) out.additionalProperties = this.convert(node.additionalProperties);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[key];
      if (Array.isArray(list)) out[key] = list.map((schema) => this.convert(schema));
    }
    if (node.not !== undefined) out.not = this.convert(node.not);
    return out;
  }

  private convertRef(ref: string, nullable: boolean): Json {
    const name = ref.startsWith(REF_PREFIX) ? decodePointerSegment(ref.slice(REF_PREFIX.length)) : undefined;
    if (name === undefined || !isObject(this.components[name])) {
      // The spec points at a few schemas it does not contain (an external squarecdn.com file,
      // CatalogModifierToggleOverrideType); accept anything there rather than fail to compile.
      return {};
    }
    const target = { $ref: `${this.rootId}#/definitions/${encodePointerSegment(name)}` };
    if (!nullable) return target;
    if (!this.nullableDefined) {
      this.nullableTargets.add(name);
      return { $ref: `${this.rootId}#/definitions/${encodePointerSegment(nullableName(name))}` };
    }
    // Inline operation schemas converted after the root was built: no twin, so spell it out.
    return this.nullableTargets.has(name)
      ? { $ref: `${this.rootId}#/definitions/${encodePointerSegment(nullableName(name))}` }
      : { anyOf: [target, { type: 'null' }] };
  }
}

const nullableName = (name: string): string => `${name}__nullable`;

function makeNullable(schema: Json): Json {
  if (schema.$ref !== undefined || (schema.type === undefined && schema.enum === undefined)) {
    return schema.$ref !== undefined ? { anyOf: [schema, { type: 'null' }] } : schema;
  }
  const out: Json = { ...schema };
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

const decodePointerSegment = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const encodePointerSegment = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Square-Version 2026-07-15: adjustments name both ends instead of one location_id. */
function applyVersionPatches(schemas: Json): void {
  const adjustment = schemas.InventoryAdjustment;
  if (!isObject(adjustment) || !isObject(adjustment.properties)) {
    throw new Error('spec/square/api.json has no InventoryAdjustment.properties to patch');
  }
  const properties = adjustment.properties;
  const locationId = isObject(properties.location_id) ? properties.location_id : { type: 'string', nullable: true };
  const patched = { ...locationId, type: 'string', maxLength: 100 };
  properties.from_location_id ??= { ...patched, description: 'Square-Version 2026-07-15: where the quantity leaves.' };
  properties.to_location_id ??= { ...patched, description: 'Square-Version 2026-07-15: where the quantity arrives.' };
}

function stripPath(path: string): string {
  let out = path;
  // Accept full URLs too (a recorded `request.url` may carry the origin).
  if (/^https?:\/\//i.test(out)) out = new URL(out).pathname;
  const cut = out.search(/[?#]/);
  return cut === -1 ? out : out.slice(0, cut);
}

function templatePattern(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Literal segments beat parameters at the first position where two templates differ. */
function compareSpecificity(a: OperationEntry, b: OperationEntry): number {
  const length = Math.min(a.paramSegments.length, b.paramSegments.length);
  for (let i = 0; i < length; i++) {
    if (a.paramSegments[i] !== b.paramSegments[i]) return a.paramSegments[i] ? 1 : -1;
  }
  return 0;
}

function indexOperations(paths: Json): Map<string, OperationEntry[]> {
  const byMethod = new Map<string, OperationEntry[]>();
  for (const [pathTemplate, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const requestBody = isObject(operation.requestBody) ? operation.requestBody : undefined;
      const responses = new Map<string, unknown>();
      if (isObject(operation.responses)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          responses.set(status, isObject(response) ? jsonSchemaOf(response) : undefined);
        }
      }
      const entry: OperationEntry = {
        method: method.toUpperCase(),
        operationId: typeof operation.operationId === 'string' ? operation.operationId : `${method} ${pathTemplate}`,
        pathTemplate,
        pattern: templatePattern(pathTemplate),
        paramSegments: pathTemplate.split('/').map((segment) => segment.startsWith('{')),
        requestSchema: requestBody ? jsonSchemaOf(requestBody) : undefined,
        requestBodyRequired: requestBody?.required === true,
        responses,
      };
      const list = byMethod.get(entry.method) ?? [];
      list.push(entry);
      byMethod.set(entry.method, list);
    }
  }
  for (const list of byMethod.values()) list.sort(compareSpecificity);
  return byMethod;
}

function jsonSchemaOf(holder: Json): unknown {
  const content = isObject(holder.content) ? holder.content : undefined;
  const media = content && isObject(content['application/json']) ? content['application/json'] : undefined;
  return media?.schema;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  // Bodies should be parsed JSON, but a caller may hand over SDK objects still holding bigints.
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function problemFrom(where: Direction, error: ErrorObject): SpecProblem {
  const params = error.params as Record<string, unknown>;
  let pointer = error.instancePath;
  let message = error.message ?? `fails ${error.keyword}`;
  switch (error.keyword) {
    case 'required':
      pointer += `/${encodePointerSegment(String(params.missingProperty))}`;
      message = `must have required property '${String(params.missingProperty)}'`;
      break;
    case 'additionalProperties':
      pointer += `/${encodePointerSegment(String(params.additionalProperty))}`;
      break;
    case 'enum': {
      const allowed = (Array.isArray(params.allowedValues) ? params.allowedValues : []).filter((v) => v !== null);
      const listed = allowed.slice(0, MAX_LISTED_ENUM_VALUES).map(String).join(', ');
      const more = allowed.length > MAX_LISTED_ENUM_VALUES ? `, ... (${allowed.length - MAX_LISTED_ENUM_VALUES} more)` : '';
      message = `must be equal to one of the allowed values: ${listed}${more} (got ${describeValue(error.data)})`;
      break;
    }
    case 'type': {
      const types = String(params.type).split(',');
      message = `must be ${types.join(' or ')} (got ${describeValue(error.data)})`;
      break;
    }
    default:
      break;
  }
  return { where, pointer, message };
}

class Validator implements SquareSpecValidator {
  private readonly ajv: Ajv;
  private readonly operations: Map<string, OperationEntry[]>;
  private readonly converters = new Map<Direction, SchemaConverter>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly spec: Json) {
    const components = isObject(spec.components) ? spec.components : {};
    const schemas = isObject(components.schemas) ? components.schemas : {};
    applyVersionPatches(schemas);
    this.operations = indexOperations(isObject(spec.paths) ? spec.paths : {});
    // strict: false because converted schemas still meet formats and keywords Ajv's strict
    // mode dislikes (int64 on integers); verbose keeps the failing value for messages.
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
    addFormats(this.ajv);
  }

  findOperation(method: string, path: string): { operationId: string; pathTemplate: string } | null {
    const entry = this.lookup(method, path);
    return entry ? { operationId: entry.operationId, pathTemplate: entry.pathTemplate } : null;
  }

  validateRequestBody(method: string, path: string, body: unknown): SpecProblem[] {
    const entry = this.lookup(method, path);
    if (!entry) return [notInSpec('request', method, path)];
    if (entry.requestSchema === undefined) return [];
    if (body === undefined) {
      return entry.requestBodyRequired ? [{ where: 'request', pointer: '', message: REQUIRED_BODY_MESSAGE }] : [];
    }
    const validate = this.compile('request', `${entry.method} ${entry.pathTemplate}`, (converter) => converter.convert(entry.requestSchema));
    return this.run('request', validate, body);
  }

  validateResponseBody(method: string, path: string, status: number, body: unknown): SpecProblem[] {
    const entry = this.lookup(method, path);
    if (!entry) return [notInSpec('response', method, path)];
    if (status < 200 || status > 299) {
      const validate = this.compile('response', 'errors-envelope', (converter) => errorsEnvelope(converter.rootId));
      return this.run('response', validate, body);
    }
    const key = [String(status), `${String(status).charAt(0)}XX`, 'default'].find((k) => entry.responses.has(k));
    if (key === undefined) {
      const declared = [...entry.responses.keys()].join(', ') || 'none';
      return [{ where: 'response', pointer: '', message: `status ${status} is not declared for ${entry.operationId} (declared: ${declared})` }];
    }
    const schema = entry.responses.get(key);
    if (schema === undefined) return []; // a declared response without a JSON body
    const validate = this.compile('response', `${entry.method} ${entry.pathTemplate} ${key}`, (converter) => converter.convert(schema));
    return this.run('response', validate, body);
  }

  private lookup(method: string, path: string): OperationEntry | undefined {
    const candidates = this.operations.get(method.toUpperCase());
    if (!candidates) return undefined;
    const bare = stripPath(path);
    return candidates.find((entry) => entry.pattern.test(bare));
  }

  private converter(direction: Direction): SchemaConverter {
    let converter = this.converters.get(direction);
    if (!converter) {
      const components = (this.spec.components as Json).schemas as Json;
      converter = new SchemaConverter(components, direction, `https://possync.invalid/square/${direction}.json`);
      this.ajv.addSchema(converter.buildRoot());
      this.converters.set(direction, converter);
    }
    return converter;
  }

  private compile(direction: Direction, key: string, build: (converter: SchemaConverter) => Json): ValidateFunction {
    const cacheKey = `${direction} ${key}`;
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(build(this.converter(direction)));
      this.compiled.set(cacheKey, validate);
    }
    return validate;
  }

  private run(where: Direction, validate: ValidateFunction, body: unknown): SpecProblem[] {
    if (validate(body)) return [];
    // One problem per location, like Square's one error per field: Ajv checks `type` first, so
    // `1.5` for an int64 reports "must be integer" and not also the format failure.
    const seen = new Set<string>();
    const problems: SpecProblem[] = [];
    for (const error of validate.errors ?? []) {
      const problem = problemFrom(where, error);
      if (seen.has(problem.pointer)) continue;
      seen.add(problem.pointer);
      problems.push(problem);
    }
    return problems;
  }
}

/** Square answers every failure with a non-empty `errors` list of components.schemas.Error. */
const errorsEnvelope = (rootId: string): Json => ({
  type: 'object',
  required: ['errors'],
  properties: {
    errors: { type: 'array', minItems: 1, items: { $ref: `${rootId}#/definitions/Error` } },
  },
});

const notInSpec = (where: Direction, method: string, path: string): SpecProblem => ({
  where,
  pointer: '',
  message: `operation ${method.toUpperCase()} ${stripPath(path)} is not in Square's OpenAPI spec`,
});

let cached: Validator | undefined;

/** Parses spec/square/api.json once per process; compiled validators are cached on the instance. */
export function loadSquareSpecValidator(): SquareSpecValidator {
  cached ??= new Validator(JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Json);
  return cached;
}
