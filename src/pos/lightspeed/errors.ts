import type { HttpAnswer } from '../http.ts';
import { PosAuthError, PosBadResponseError, PosError, PosNotFoundError, PosRejectedError, PosUnavailableError } from '../errors.ts';

/**
 * Lightspeed's two error shapes, REST `{httpCode, httpMessage, message, errorClass}` and OAuth
 * `{error, error_description, hint}`, turned into typed PosErrors. Every message goes through
 * `Redactor` so a token or the client secret echoed by a server never reaches a log.
 */
export interface LsErrorDetail {
  /** OAuth `error` (access_denied, invalid_grant, …) when the answer had that shape. */
  oauthError?: string;
  /** Human text: REST `message`, or OAuth `error_description` + `hint`. */
  message: string;
  errorClass?: string;
}

export function readErrorDetail(answer: HttpAnswer): LsErrorDetail {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    // Lightspeed has been seen answering 400 with text/html; keep only the status then.
    return { message: `status ${answer.status}` };
  }
  if (typeof body !== 'object' || body === null) return { message: `status ${answer.status}` };
  const b = body as Record<string, unknown>;
  const str = (key: string) => (typeof b[key] === 'string' ? (b[key] as string) : undefined);
  if (str('error') !== undefined) {
    const parts = [str('error_description'), str('hint')].filter((p): p is string => !!p);
    return { oauthError: str('error'), message: parts.join(' — ') || str('error')! };
  }
  return { message: str('message') ?? `status ${answer.status}`, errorClass: str('errorClass') };
}

/** Removes known secrets (tokens, client secret) from text before it is put into an error. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 6) this.secrets.add(value);
  }

  clean(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    // Anything shaped like a bearer credential, in case a server echoes one we never held.
    return out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]').slice(0, 300);
  }
}

/** A non-2xx API answer (other than the 401 the client handles by refreshing) as a PosError. */
export function mapApiError(answer: HttpAnswer, label: string, redactor: Redactor): PosError {
  const detail = readErrorDetail(answer);
  const message = redactor.clean(detail.message);
  const what = `Lightspeed ${label}`;
  const { status } = answer;
  if (status === 401) {
    return new PosAuthError(`${what}: access refused (${message}); if it persists, re-authorise the Lightspeed app for this account`, status);
  }
  if (status === 403) return new PosAuthError(`${what}: forbidden (${message}); the app lacks a scope it needs`, status);
  if (status === 404) return new PosNotFoundError(`${what}: not found (${message})`);
  if (status >= 500) return new PosUnavailableError(`${what} answered ${status} (${message})`, status);
  if (status >= 400) return new PosRejectedError(`${what} refused with ${status}${detail.errorClass ? ` ${detail.errorClass}` : ''}: ${message}`, status);
  return new PosBadResponseError(`${what}: unexpected status ${status}`, status);
}

/** A refused token request. Only the OAuth error code and hint are kept; never the tokens. */
export function mapTokenError(answer: HttpAnswer, accountId: string, redactor: Redactor): PosError {
  const detail = readErrorDetail(answer);
  const message = redactor.clean(detail.message);
  const code = detail.oauthError ?? `status ${answer.status}`;
  if (code === 'invalid_grant') {
    return new PosAuthError(
      `Lightspeed refused the refresh token for account ${accountId} (invalid_grant: ${message}); re-authorise the app in Lightspeed and put the new refresh token in the config`,
      answer.status,
    );
  }
  if (code === 'invalid_client') {
    return new PosAuthError(`Lightspeed refused the client id/secret for account ${accountId} (invalid_client); check ClientID and ClientSecret`, answer.status);
  }
  if (answer.status >= 500) return new PosUnavailableError(`Lightspeed token endpoint answered ${answer.status}`, answer.status);
  return new PosAuthError(`Lightspeed token request for account ${accountId} refused (${code}: ${message})`, answer.status);
}
