/**
 * API keys: when any are configured, every /api route wants `X-Api-Key` equal to one of them.
 * Keys are compared as SHA-256 digests with timingSafeEqual, and every key is checked (no early
 * exit), so neither the length nor the position of a match leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBodyJson } from './schemas.ts';

export const API_KEY_HEADER = 'x-api-key';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export interface KeyCheck {
  /** True when keys are configured (the API is closed to callers without one). */
  readonly enabled: boolean;
  /** Whether this request carries a valid key (always true when no keys are configured). */
  allows(request: FastifyRequest): boolean;
  /** Whether this text is one of the configured keys (the dashboard's login form). */
  matches(given: string): boolean;
}

export function keyCheck(apiKeys: readonly string[]): KeyCheck {
  const digests = apiKeys.filter((k) => k.length > 0).map(digest);
  const matches = (given: string) => {
    if (given.length === 0) return false;
    const candidate = digest(given);
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, candidate) || match;
    return match;
  };
  return {
    enabled: digests.length > 0,
    allows(request) {
      if (digests.length === 0) return true;
      const given = request.headers[API_KEY_HEADER];
      return typeof given === 'string' && matches(given);
    },
    matches,
  };
}

/** onRequest hook for the /api scope; runs before the body is even read. */
export function requireApiKey(check: KeyCheck) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (check.allows(request)) return;
    const body: ErrorBodyJson = {
      error: 'unauthorized',
      message: 'Missing or wrong X-Api-Key header',
      field: 'X-Api-Key',
    };
    return reply.code(401).send(body);
  };
}
