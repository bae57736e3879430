/**
 * PostgreSQL `text` cannot hold U+0000, and a lone UTF-16 surrogate cannot be encoded at all: a
 * request carrying either would pass the schemas and fail in the database (a 500, and before
 * intake isolated members, a rolled-back group commit for every neighbour). They are refused at
 * the edge with a 400 naming the field, in bodies, path parameters, query strings and the
 * headers used as keys.
 */
import type { FastifyRequest } from 'fastify';
import { EngineInputError } from '../engine/ports.ts';

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function why(text: string): string | null {
  const match = UNSTORABLE.exec(text);
  if (!match) return null;
  return match[0] === '\u0000' ? 'a NUL character (U+0000)' : 'an unpaired UTF-16 surrogate';
}

/** The first string (or object key) in `value` the database cannot store, by field; iterative, so deep JSON cannot overflow the stack. */
export function findUnstorable(value: unknown, root: string): { field: string; reason: string } | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: root }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = why(current);
      if (reason) return { field: path, reason };
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const field = path ? `${path}.${key}` : key;
        const reason = why(key);
        if (reason) return { field: path || 'body', reason: `a key containing ${reason}` };
        stack.push({ value: item, path: field });
      }
    }
  }
  return null;
}

/** preValidation hook: a 400 naming the first field the database could not store. */
export async function refuseUnstorable(request: FastifyRequest): Promise<void> {
  // Idempotency-Key is the one header stored (as the sale's key); the others are only compared.
  const key = request.headers['idempotency-key'];
  const found =
    findUnstorable(request.params, '') ??
    findUnstorable(request.query, '') ??
    (key === undefined ? null : findUnstorable({ 'Idempotency-Key': key }, '')) ??
    findUnstorable(request.body, '');
  if (found) {
    const field = found.field || 'body';
    throw new EngineInputError(field, `${field} contains ${found.reason}, which cannot be stored; remove it`);
  }
}
