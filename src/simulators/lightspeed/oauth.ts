import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Lightspeed's OAuth server (the 2024 one at /auth/oauth/token, plus the legacy access_token.php).
 * Every refresh rotates the refresh token; the old one keeps working until the new access token is
 * first used (retries after a lost answer are safe), then it is revoked, and with it every other
 * branch rotated from it: a connection has one token pair. Two clients refreshing the same token
 * (a fork) both get a pair, but once one of them uses its access token the other's pair is dead:
 * its access token is refused ("Access token has been revoked") and its refresh token is an
 * invalid_grant.
 */
export interface TokenConfig {
  accountID: string;
  clientId: string;
  clientSecret: string;
  employeeID: string;
  ttlSeconds: number;
  /** Successful+failed refreshes allowed per minute before 429; 0 = no limit. */
  refreshLimitPerMinute: number;
  seedRefreshToken: string;
  seedAccessToken?: string;
}

interface RefreshTokenState {
  issuedAt: number;
  revoked: boolean;
  /** The refresh token this one was issued from. */
  parent?: string;
}

interface AccessTokenState {
  clientId: string;
  expiresAt: number;
  /** The refresh token this one replaced; revoked when this token is first used. */
  revokesOnUse?: string;
  /** The refresh token issued with this one. */
  pairedWith?: string;
  revoked?: boolean;
}

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type Verified = { ok: true; clientId: string } | { ok: false; hint: string };

const REFRESH_LIFETIME_MS = 30 * 86_400_000;
const DENIED = 'The resource owner or authorization server denied the request.';

export const ACCESS_DENIED_HINT = 'Access token could not be verified';
export const REVOKED_HINT = 'Access token has been revoked';

export function accessDeniedBody(hint: string) {
  return { error: 'access_denied', error_description: DENIED, hint };
}

const oauthError = (status: number, error: string, description: string, hint?: string): TokenReply => ({
  status,
  body: hint === undefined ? { error, error_description: description } : { error, error_description: description, hint },
});

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export class TokenService {
  private refreshTokens = new Map<string, RefreshTokenState>();
  private accessTokens = new Map<string, AccessTokenState>();
  private current!: { refreshToken: string; accessToken: string; accessTokenExpiresAt: number };
  private refreshTimes: number[] = [];
  refreshCount = 0;
  refreshAttempts = 0;

  constructor(
    private readonly config: TokenConfig,
    private readonly now: () => number,
  ) {
    this.reset();
  }

  reset(): void {
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.refreshTimes = [];
    this.refreshCount = 0;
    this.refreshAttempts = 0;
    const now = this.now();
    this.refreshTokens.set(this.config.seedRefreshToken, { issuedAt: now, revoked: false });
    const accessToken = this.config.seedAccessToken ?? this.mintAccessToken(now);
    const expiresAt = now + this.config.ttlSeconds * 1000;
    this.accessTokens.set(accessToken, { clientId: this.config.clientId, expiresAt });
    this.current = { refreshToken: this.config.seedRefreshToken, accessToken, accessTokenExpiresAt: expiresAt };
  }

  /** The newest tokens handed out (what a well-behaved client should hold now). */
  latest() {
    return { ...this.current };
  }

  activeRefreshTokens(): number {
    return [...this.refreshTokens.values()].filter((t) => !t.revoked).length;
  }

  /** Checks a bearer token; its first use revokes the refresh token it replaced. */
  verify(token: string): Verified {
    const state = this.accessTokens.get(token);
    if (!state || this.now() >= state.expiresAt) return { ok: false, hint: ACCESS_DENIED_HINT };
    if (state.revoked) return { ok: false, hint: REVOKED_HINT };
    if (state.revokesOnUse !== undefined) {
      this.revokeSiblings(state.revokesOnUse, state.pairedWith);
      // Revoke the replaced token and everything it was rotated from (retries may have chained).
      let previous: string | undefined = state.revokesOnUse;
      while (previous !== undefined) {
        const entry: RefreshTokenState | undefined = this.refreshTokens.get(previous);
        if (!entry || entry.revoked) break;
        entry.revoked = true;
        previous = entry.parent;
      }
      delete state.revokesOnUse;
    }
    return { ok: true, clientId: state.clientId };
  }

  /** The other branches rotated from `parent` lose: their refresh tokens and access tokens die. */
  private revokeSiblings(parent: string, winner: string | undefined): void {
    const losers = new Set<string>();
    for (const [refreshToken, entry] of this.refreshTokens) {
      if (entry.parent === parent && refreshToken !== winner) losers.add(refreshToken);
    }
    // A loser may have rotated on already: its descendants die too.
    for (let grew = true; grew; ) {
      grew = false;
      for (const [refreshToken, entry] of this.refreshTokens) {
        if (entry.parent !== undefined && losers.has(entry.parent) && !losers.has(refreshToken)) {
          losers.add(refreshToken);
          grew = true;
        }
      }
    }
    for (const refreshToken of losers) this.refreshTokens.get(refreshToken)!.revoked = true;
    for (const access of this.accessTokens.values()) {
      if (access.pairedWith !== undefined && losers.has(access.pairedWith)) access.revoked = true;
    }
  }

  /** Handles a token request body (already parsed into strings); `legacy` = access_token.php. */
  grant(params: Record<string, string>, basicAuth: { id: string; secret: string } | null, legacy: boolean): TokenReply {
    this.refreshAttempts += 1;
    const now = this.now();
    if (this.config.refreshLimitPerMinute > 0) {
      this.refreshTimes = this.refreshTimes.filter((t) => now - t < 60_000);
      if (this.refreshTimes.length >= this.config.refreshLimitPerMinute) {
        const retryAfter = Math.max(1, Math.ceil((this.refreshTimes[0]! + 60_000 - now) / 1000));
        return { ...oauthError(429, 'too_many_requests', 'Too many token requests for this connection; slow down.'), headers: { 'retry-after': String(retryAfter) } };
      }
      this.refreshTimes.push(now);
    }
    const grantType = params.grant_type;
    if (!grantType) return oauthError(400, 'invalid_request', 'The request is missing a required parameter.', 'Check the `grant_type` parameter');
    if (grantType !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.', 'Only refresh_token is simulated');
    }
    const clientId = params.client_id ?? basicAuth?.id;
    const clientSecret = params.client_secret ?? basicAuth?.secret;
    if (!clientId) return oauthError(400, 'invalid_request', 'The request is missing a required parameter.', 'Check the `client_id` parameter');
    if (clientId !== this.config.clientId || clientSecret !== this.config.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    const refreshToken = params.refresh_token;
    if (!refreshToken) return oauthError(400, 'invalid_request', 'The request is missing a required parameter.', 'Check the `refresh_token` parameter');
    const state = this.refreshTokens.get(refreshToken);
    if (!state) return oauthError(400, 'invalid_grant', 'The refresh token is invalid.', 'Cannot decrypt the refresh token');
    if (state.revoked) return oauthError(400, 'invalid_grant', 'The refresh token is invalid.', 'Token has been revoked');
    if (now - state.issuedAt > REFRESH_LIFETIME_MS) return oauthError(400, 'invalid_grant', 'The refresh token is invalid.', 'Token has expired');

    const accessToken = this.mintAccessToken(now);
    const expiresAt = now + this.config.ttlSeconds * 1000;
    this.refreshCount += 1;
    if (legacy) {
      // The old server never rotated: same refresh token back, plus a scope string.
      this.accessTokens.set(accessToken, { clientId, expiresAt });
      this.current = { refreshToken, accessToken, accessTokenExpiresAt: expiresAt };
      return {
        status: 200,
        body: {
          access_token: accessToken,
          expires_in: this.config.ttlSeconds,
          token_type: 'bearer',
          scope: `employee:all systemuserid:${this.config.employeeID}`,
          refresh_token: refreshToken,
        },
      };
    }
    const newRefresh = base64url(randomBytes(48));
    this.refreshTokens.set(newRefresh, { issuedAt: now, revoked: false, parent: refreshToken });
    this.accessTokens.set(accessToken, { clientId, expiresAt, revokesOnUse: refreshToken, pairedWith: newRefresh });
    this.current = { refreshToken: newRefresh, accessToken, accessTokenExpiresAt: expiresAt };
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: this.config.ttlSeconds, access_token: accessToken, refresh_token: newRefresh },
    };
  }

  /** A JWT-looking token (unsigned for real) carrying acct/sub/scope like Lightspeed's. */
  private mintAccessToken(now: number): string {
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256' }));
    const payload = base64url(
      JSON.stringify({
        aud: this.config.clientId,
        jti: randomBytes(16).toString('hex'),
        iat: Math.floor(now / 1000),
        nbf: Math.floor(now / 1000),
        exp: Math.floor(now / 1000) + this.config.ttlSeconds,
        sub: this.config.employeeID,
        scopes: ['employee:all'],
        acct: this.config.accountID,
      }),
    );
    return `${header}.${payload}.${base64url(randomBytes(32))}`;
  }
}

/** Turns a token request body (JSON object, url-encoded string, multipart buffer) into strings. */
export async function readTokenParams(body: unknown, contentType: string | undefined): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (typeof body === 'string') {
    for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  } else if (Buffer.isBuffer(body)) {
    // Node's fetch Response parses multipart/form-data without another dependency.
    const form = await new Response(body, { headers: { 'content-type': contentType ?? '' } }).formData();
    for (const [k, v] of form) if (typeof v === 'string') out[k] = v;
  } else if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

export function readBasicAuth(header: string | undefined): { id: string; secret: string } | null {
  if (!header?.toLowerCase().startsWith('basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** The token endpoints; they sit outside the leaky bucket, like the real OAuth server. */
export function registerTokenRoutes(scope: FastifyInstance, tokens: () => TokenService): void {
  // Encapsulated to this scope: the API itself only takes JSON.
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const handler = (legacy: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const params = await readTokenParams(request.body, request.headers['content-type']);
    const answer = tokens().grant(params, readBasicAuth(request.headers.authorization), legacy);
    return reply
      .code(answer.status)
      .headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...(answer.headers ?? {}) })
      .send(answer.body);
  };
  scope.post('/auth/oauth/token', handler(false));
  scope.post('/oauth/access_token.php', handler(true));
}
