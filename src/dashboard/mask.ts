import { maskSecret } from '../config/mask.ts';

const SECRET_KEY = /(token|secret|password|passwd|pwd|api[-_]?key|authorization|credential)/i;

/** A job payload or output as shown on a page: values under secret-looking keys masked (rule 9). */
export function maskPayload(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskPayload(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, SECRET_KEY.test(key) && typeof v === 'string' ? maskSecret(v) : maskPayload(v, depth + 1)]),
  );
}
