import { PosAuthError, PosError, PosNotFoundError, PosRateLimitedError, PosRejectedError, PosUnavailableError } from '../errors.ts';
import type { HttpAnswer } from '../http.ts';

/** Hiboutik's error body; every field may be missing on a proxy's or a load balancer's answer. */
interface HiboutikErrorBody {
  error?: unknown;
  code?: unknown;
  error_description?: unknown;
  details?: unknown;
}

export function readErrorBody(text: string): HiboutikErrorBody {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as HiboutikErrorBody) : {};
  } catch {
    return {};
  }
}

/**
 * Hiboutik answers 429 both for "30 calls in flight" (retry soon) and for "the month's quota is
 * spent" (nothing until the 1st). The body is the only way to tell them apart; the wording is
 * UNCONFIRMED upstream, so any mention of a quota / month, or a reset date in `details`, counts.
 */
export function quotaRefusal(answer: HttpAnswer): { resetsAt?: Date } | null {
  if (answer.status !== 429) return null;
  const body = readErrorBody(answer.text);
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : {};
  const concurrency = /concurren|in flight/i.test(description);
  const quota = /quota|month/i.test(description) || 'resets_at' in details;
  if (!quota || concurrency) return null;
  const reset = typeof details.resets_at === 'string' ? new Date(details.resets_at) : undefined;
  return reset && !Number.isNaN(reset.getTime()) ? { resetsAt: reset } : {};
}

/** Removes credentials from any text that reaches an error message (rule 9). */
export type Redact = (text: string) => string;

export function makeRedactor(secrets: readonly string[]): Redact {
  const present = secrets.filter((s) => s.length >= 3);
  return (text) => present.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** Maps a final (non-retried) Hiboutik error answer to a typed PosError. */
export function mapHiboutikError(answer: HttpAnswer, label: string, redact: Redact): PosError {
  const body = readErrorBody(answer.text);
  const description = typeof body.error_description === 'string' && body.error_description.trim() !== '' ? body.error_description.trim() : `status ${answer.status}`;
  const details = describeDetails(body.details);
  const message = redact(`Hiboutik ${label}: ${description}${details ? ` (${details})` : ''}`);
  const { status } = answer;
  if (status === 401 || status === 403) {
    const hint = status === 401 ? 'check the API e-mail and key' : "the API user lacks the rights for this call";
    return new PosAuthError(`${message}; ${hint}`, status);
  }
  if (status === 404) return new PosNotFoundError(message);
  if (status === 429) return new PosRateLimitedError(message, 1000, status);
  if (status >= 500) return new PosUnavailableError(message, status);
  return new PosRejectedError(message, status);
}

/** `details` maps field names to messages ("product_id": "Stock available: 0, requested: 1"). */
function describeDetails(details: unknown): string {
  if (typeof details !== 'object' || details === null) return '';
  return Object.entries(details as Record<string, unknown>)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
    .slice(0, 4)
    .map(([field, value]) => `${field}: ${String(value)}`)
    .join('; ');
}
