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
 * spent" (nothing until the month ends). Its documentation gives no way to tell them apart
 * (faq.hiboutik.com, API requests: 10,000 calls a month, 30 concurrent; once over, no call until
 * the end of the month), and the body's wording is unconfirmed, so it is read from behaviour:
 * - a 429 while our own count of the month's calls is within `NEAR_QUOTA` of the quota is the
 *   quota (other apps share it, so Hiboutik may get there a little before we do);
 * - 429s that persist, `PERSISTENT_REFUSALS` in a row over at least `PERSISTENT_MS`, are the
 *   quota whatever our count says: a concurrency refusal clears as soon as calls finish.
 */
export const NEAR_QUOTA = (callsPerMonth: number) => Math.max(30, Math.ceil(callsPerMonth / 100));
export const PERSISTENT_REFUSALS = 6;
export const PERSISTENT_MS = 60_000;

export class QuotaRefusalDetector {
  private run: { count: number; since: number } | null = null;

  /** Called with every answer; true when this answer shows the monthly quota is spent. */
  observe(status: number, now: number, usage: { used: number; limit: number }): boolean {
    if (status !== 429) {
      this.run = null;
      return false;
    }
    this.run = this.run ? { count: this.run.count + 1, since: this.run.since } : { count: 1, since: now };
    if (usage.used >= usage.limit - NEAR_QUOTA(usage.limit)) return true;
    return this.run.count >= PERSISTENT_REFUSALS && now - this.run.since >= PERSISTENT_MS;
  }
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
