/**
 * Strict response mode (for tests): Fastify's fast serialiser silently drops fields a response
 * schema does not list and sends statuses that have no schema with plain JSON.stringify. Here both
 * become errors, so a view that drifted from its schema fails a test with a 500 instead of quietly
 * losing data. Production keeps the fast serialiser.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const addFormats = addFormatsModule.default;

export class ResponseContractError extends Error {
  override name = 'ResponseContractError';
}

// No coercion, no removal, no defaults: the payload must already be exactly right. One instance
// and one validator per distinct schema for the process, as for requests (parsing.ts).
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, removeAdditional: false, useDefaults: false });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

function validatorFor(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema as object);
    validators.set(key, validate);
  }
  return validate;
}

export function enforceResponseSchemas(app: FastifyInstance): void {
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    const validate = validatorFor(schema);
    return (data: unknown) => {
      if (!validate(data)) {
        throw new ResponseContractError(
          `${method} ${url} answered ${httpStatus} with a body its schema refuses: ${ajv.errorsText(validate.errors)}`,
        );
      }
      return JSON.stringify(data);
    };
  });

  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const responses = (reply.routeOptions.schema?.response ?? {}) as Record<string, unknown>;
    const status = String(reply.statusCode);
    // 500 is exempt so the error handler's own answer cannot loop; the OpenAPI walk test checks it.
    // So are unknown routes (the scope's 404 handler, and the 401 before it): they have no schema.
    if (status !== '500' && !request.is404 && !(status in responses)) {
      throw new ResponseContractError(`${request.method} ${reply.routeOptions.url} answered ${status}, which its schema does not declare`);
    }
    return payload;
  });
}
