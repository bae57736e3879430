import { createHash } from 'node:crypto';
import { invalidRequest } from './errors.ts';

/**
 * Opaque cursors: base64url JSON carrying a position and a fingerprint of the query, so a
 * cursor replayed with other filters, or edited, is refused with INVALID_CURSOR as Square does.
 */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 16);
}

/** JSON with sorted keys: two bodies that differ only in key order count as the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function encodeCursor(kind: string, query: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, q: query, p: position })).toString('base64url');
}

/** The position inside a cursor, or a 400 INVALID_CURSOR. `check` vets the position's shape. */
export function decodeCursor<T>(cursor: string, kind: string, query: string, check: (p: unknown) => p is T, field = 'cursor'): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const record = parsed as { k?: unknown; q?: unknown; p?: unknown } | null;
  if (record === null || typeof record !== 'object' || record.k !== kind || record.q !== query || !check(record.p)) {
    throw invalidRequest('INVALID_CURSOR', 'The pagination cursor is invalid or does not belong to this query.', field);
  }
  return record.p;
}

export const isOffset = (p: unknown): p is number => Number.isSafeInteger(p) && (p as number) >= 0;
