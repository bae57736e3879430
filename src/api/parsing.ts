/**
 * How requests are read: JSON bodies that may be empty (the original's curl examples POST with
 * no body, sometimes with a JSON content type), and validators that coerce only where HTTP gives
 * text (query string, path) but never a JSON body, where `"5"` for an integer is a client bug.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  // Reuse Fastify's own parser (prototype-poisoning protection included) for non-empty bodies.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), done);
  });
}

/**
 * Fastify parses text/plain by default, so a text body on a JSON route would reach the schema as
 * a string and get a confusing 400; without the parser it gets the 415 the docs promise.
 */
export function refuseTextBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
}

// One pair of Ajv instances and one validator per distinct schema for the whole process: a test
// process builds dozens of apps, and compiling every route's schemas for each cost seconds of CPU.
const common = { allErrors: false, strict: false, useDefaults: true, removeAdditional: false } as const;
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const textAjv = new Ajv({ ...common, coerceTypes: 'array' });
const validators = new Map<string, ValidateFunction>();

export function installValidators(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    const key = `${ajv === bodyAjv ? 'body' : 'text'}:${JSON.stringify(schema)}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv === bodyAjv ? ajv.compile(schema as object) : decimalIntegersOnly(schema, ajv.compile(schema as object));
      validators.set(key, validate);
    }
    return validate;
  });
}

const DECIMAL_INTEGER = /^-?\d+$/;

/**
 * Ajv turns any text Number() reads into an integer: `1e3`, `0x10`, ` 1` would all name run 1000,
 * 16 and 1. A path or query integer is written in decimal digits, else it is the same 400 as `abc`.
 * Path and query schemas are flat objects, so their own properties are all there is to look at.
 */
function decimalIntegersOnly(schema: unknown, validate: ValidateFunction): ValidateFunction {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const integers = Object.keys(properties).filter((name) => properties[name]?.type === 'integer');
  if (integers.length === 0) return validate;
  const checked = ((data: unknown) => {
    const values = (data ?? {}) as Record<string, unknown>;
    const bad = integers.find((name) => typeof values[name] === 'string' && !DECIMAL_INTEGER.test(values[name] as string));
    if (bad !== undefined) {
      checked.errors = [{ keyword: 'type', instancePath: `/${bad}`, schemaPath: `#/properties/${bad}/type`, params: { type: 'integer' }, message: 'must be integer' }];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors;
    return valid;
  }) as ValidateFunction;
  return checked;
}
