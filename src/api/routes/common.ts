/** Small pieces shared by the route files. */
import type { FastifyRequest } from 'fastify';
import { EngineInputError, type Service } from '../../engine/ports.ts';

/** OpenAPI security requirement for /api routes (enforced only when keys are configured). */
export const apiSecurity = [{ apiKey: [] as string[] }];

/**
 * Unknown accounts are refused here, before any work, with the configured ids listed so the
 * caller can fix a typo; the engine may refuse them too, with the same mapping.
 */
export function assertKnownAccount(service: Service, accountId: string, field: string): void {
  const known = service.accountIds();
  if (known.includes(accountId)) return;
  throw new EngineInputError(field, `Unknown account "${accountId}"; configured accounts: ${known.join(', ') || '(none)'}`, 404, {
    knownAccountIds: known,
  });
}

/**
 * Routes whose body is optional: an empty or absent body validates as `{}` (Fastify hands the
 * validator `null` otherwise). The matching OpenAPI flag is read in app.ts.
 */
export const optionalBody = {
  preValidation: async (request: FastifyRequest) => {
    if (request.body === undefined || request.body === null) request.body = {};
  },
};
export const OPTIONAL_BODY_FLAG = 'x-body-optional';

declare module 'fastify' {
  interface FastifySchema {
    /** Copied into the OpenAPI operation by @fastify/swagger (x- keys are), read by app.ts. */
    'x-body-optional'?: boolean;
  }
}
