import type { LightspeedConnection } from '../accounts.ts';
import type { PosHttp } from '../http.ts';
import { parseJson } from '../http.ts';
import { PosBadResponseError } from '../errors.ts';
import type { TokenState, TokenStore } from '../token-store.ts';
import { mapTokenError, type Redactor } from './errors.ts';

/**
 * Lightspeed OAuth tokens. Every refresh rotates the refresh token and the old one dies once the
 * new access token is first used, so the new pair is saved to the token store *before* it is
 * handed to any request: a crash can then never leave us holding only a revoked token.
 * Refreshes are single-flight: concurrent callers share one token request.
 */
export interface TokenManagerOptions {
  connection: LightspeedConnection;
  store: TokenStore;
  /** A PosHttp without the API's bucket gate: the token endpoint sits outside the bucket. */
  http: PosHttp;
  now: () => number;
  redactor: Redactor;
  /** Refresh this long before the stated expiry, so a token never dies mid-request. */
  marginMs?: number;
}

export const DEFAULT_TOKEN_MARGIN_MS = 60_000;

export class TokenManager {
  private state: TokenState | null = null;
  private loading: Promise<TokenState> | null = null;
  private refreshing: Promise<TokenState> | null = null;
  private refreshes = 0;
  private readonly marginMs: number;
  private readonly key: string;

  constructor(private readonly options: TokenManagerOptions) {
    this.marginMs = options.marginMs ?? DEFAULT_TOKEN_MARGIN_MS;
    this.key = options.connection.accountId;
    options.redactor.add(options.connection.clientSecret, options.connection.refreshToken, options.connection.accessToken);
  }

  /** Successful refreshes made by this adapter. */
  refreshCount(): number {
    return this.refreshes;
  }

  /** A usable access token, refreshed first when it is missing or about to expire. */
  async accessToken(): Promise<string> {
    const state = await this.current();
    if (this.usable(state)) return state.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * Called after the API refused `rejected` with 401 access_denied. When another caller has
   * already replaced that token, its successor is returned without a second refresh.
   */
  async renewAfterRejection(rejected: string): Promise<string> {
    const state = await this.current();
    if (state.accessToken !== rejected && this.usable(state)) return state.accessToken;
    return (await this.refresh()).accessToken;
  }

  private usable(state: TokenState): boolean {
    return state.accessToken !== '' && state.expiresAt - this.marginMs > this.options.now();
  }

  private current(): Promise<TokenState> {
    if (this.state) return Promise.resolve(this.state);
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = null;
      throw error;
    });
    return this.loading;
  }

  /** A stored state wins: the config's refresh token may long since have been rotated away. */
  private async load(): Promise<TokenState> {
    const stored = await this.options.store.load(this.key);
    const { connection } = this.options;
    // A config access token has no known expiry: use it until the API refuses it.
    const state = stored ?? {
      accessToken: connection.accessToken ?? '',
      refreshToken: connection.refreshToken,
      expiresAt: connection.accessToken ? Number.MAX_SAFE_INTEGER : 0,
    };
    this.options.redactor.add(state.accessToken, state.refreshToken);
    this.state = state;
    return state;
  }

  private refresh(): Promise<TokenState> {
    this.refreshing ??= this.refreshShared().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * One account has one token pair, whoever holds it: the refresh runs under the store's lock,
   * and a pair another adapter or instance stored meanwhile is adopted instead of forking the
   * chain (Lightspeed revokes the losing branch once the other's access token is used).
   */
  private refreshShared(): Promise<TokenState> {
    const { store, redactor } = this.options;
    return store.exclusive(this.key, async () => {
      const held = await this.current();
      const stored = await store.load(this.key);
      if (stored && stored.accessToken !== held.accessToken && this.usable(stored)) {
        redactor.add(stored.accessToken, stored.refreshToken);
        this.state = stored;
        return stored;
      }
      return this.requestNewTokens(stored?.refreshToken ?? held.refreshToken);
    });
  }

  private async requestNewTokens(used: string): Promise<TokenState> {
    const { connection, http, store, now, redactor } = this.options;
    const answer = await http.send({
      method: 'POST',
      url: connection.tokenUrl,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', client_id: connection.clientId, client_secret: connection.clientSecret, refresh_token: used }),
      // The old refresh token stays valid until the new access token is used: a re-send is safe.
      idempotent: true,
      label: 'POST oauth token (refresh)',
    });
    if (answer.status >= 300) {
      const error = mapTokenError(answer, connection.accountId, redactor);
      // Another process sharing the store may have rotated the token under us: adopt its pair.
      const stored = await store.load(this.key);
      if (stored && stored.refreshToken !== used) {
        redactor.add(stored.accessToken, stored.refreshToken);
        this.state = stored;
        return stored;
      }
      throw error;
    }
    const body = parseJson<Record<string, unknown>>(answer, 'Lightspeed POST oauth token');
    const accessToken = typeof body.access_token === 'string' ? body.access_token : '';
    const expiresIn = Number(body.expires_in);
    if (accessToken === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new PosBadResponseError('Lightspeed token answer lacks access_token or expires_in', answer.status);
    }
    // The legacy endpoint did not rotate; keep the one we used when no new one is given.
    const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : used;
    const next: TokenState = { accessToken, refreshToken, expiresAt: now() + expiresIn * 1000 };
    redactor.add(accessToken, refreshToken);
    await store.save(this.key, next);
    this.state = next;
    this.refreshes += 1;
    return next;
  }
}
