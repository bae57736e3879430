/**
 * Where an adapter keeps OAuth tokens that rotate (Lightspeed issues a new refresh token on every
 * refresh). The core implements this on its database so a restart never loses the only valid token.
 */
export interface TokenState {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface TokenStore {
  load(accountKey: string): Promise<TokenState | null>;
  save(accountKey: string, state: TokenState): Promise<void>;
  /**
   * Runs `fn` while no other holder of this account's tokens (another adapter, another instance
   * sharing the store) runs its own: a refresh happens once and the others read the stored pair.
   */
  exclusive<T>(accountKey: string, fn: () => Promise<T>): Promise<T>;
}

/** For tests and the simulators-only demo; loses tokens on exit. */
export class MemoryTokenStore implements TokenStore {
  private readonly states = new Map<string, TokenState>();
  saves = 0;

  async load(accountKey: string): Promise<TokenState | null> {
    return this.states.get(accountKey) ?? null;
  }

  async save(accountKey: string, state: TokenState): Promise<void> {
    this.saves += 1;
    this.states.set(accountKey, { ...state });
  }

  private readonly tails = new Map<string, Promise<unknown>>();

  exclusive<T>(accountKey: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(accountKey) ?? Promise.resolve()).catch(() => {}).then(fn);
    this.tails.set(accountKey, run);
    return run;
  }
}
