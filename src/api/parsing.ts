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
      validate = ajv.compile(schema as object);
      validators.set(key, validate);
    }
    return validate;
  });
}
