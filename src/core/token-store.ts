import type { TokenState, TokenStore } from '../pos/token-store.ts';
import type { SqlQueryable } from './sql.ts';
import type { AccountLocks } from './account-lock.ts';

/**
 * Rotating OAuth tokens in the core database, so a restart never loses the only valid refresh
 * token (Lightspeed issues a new one on every refresh and voids the old). Refreshes run under the
 * account's token lock, which every instance on the database sees: one account, one token pair.
 */
export class DbTokenStore implements TokenStore {
  constructor(
    private readonly sql: SqlQueryable,
    private readonly locks: AccountLocks,
  ) {}

  exclusive<T>(accountKey: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.withLock('token', accountKey, fn);
  }

  async load(accountKey: string): Promise<TokenState | null> {
    const { rows } = await this.sql.query<{ access_token: string; refresh_token: string; expires_at: Date }>(
      'select access_token, refresh_token, expires_at from pos_tokens where account_id = $1',
      [accountKey],
    );
    const row = rows[0];
    return row ? { accessToken: row.access_token, refreshToken: row.refresh_token, expiresAt: row.expires_at.getTime() } : null;
  }

  async save(accountKey: string, state: TokenState): Promise<void> {
    await this.sql.query(
      `insert into pos_tokens (account_id, access_token, refresh_token, expires_at) values ($1, $2, $3, $4)
       on conflict (account_id) do update
         set access_token = excluded.access_token, refresh_token = excluded.refresh_token,
             expires_at = excluded.expires_at, updated_at = now()`,
      [accountKey, state.accessToken, state.refreshToken, new Date(state.expiresAt)],
    );
  }
}
