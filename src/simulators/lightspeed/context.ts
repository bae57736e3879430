import type { SimulatorKit } from '../kit/server.ts';
import type { LeakyBucket } from './bucket.ts';
import type { TokenService } from './oauth.ts';
import type { LightspeedStore } from './store.ts';

/** What the route modules share; `store` is swapped for a fresh one on reset. */
export interface LightspeedContext {
  kit: SimulatorKit;
  store: LightspeedStore;
  tokens: TokenService;
  accountID: string;
  accountName: string;
  taxRatePercent: number;
  /** Overrides the scheme+host of next/previous URLs (else taken from the Host header). */
  publicUrl: string | null;
  /** Whether an `or=` across fields costs its documented extra drips (switch `orCosts`). */
  orCosts: boolean;
  bucketFor(clientId: string): LeakyBucket;
}
