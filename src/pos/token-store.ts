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
}
