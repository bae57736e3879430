import type { Section } from '../config/reader.ts';
import type { PosConnection, PosType, RealtimeConfig } from './accounts.ts';
import type { PosAdapter, RateLimitModel } from './contract.ts';
import type { AdapterDeps } from './deps.ts';

/**
 * Everything possync knows about one POS, in its own folder (src/pos/<name>/config.ts): how its
 * appsettings.json entries are named and read, how a connection is described, and its adapter.
 * The registry lists one per PosType; nothing else switches on POS names.
 */
export interface PosModule<K extends PosType> {
  label: string;
  /** `Type` values naming this POS (the original's numbers and EnumPOSTypes names, upper case). */
  typeNames: readonly string[];
  /** Keys of its own, besides Type, Id, Name, AccountID and AccessToken. */
  configKeys: readonly string[];
  /** The key holding the id of an entry that failed to load, for the duplicate check. */
  fallbackIdKey?: string;
  /** Whether readConfig itself checks AccountID (else it must be a usable API id). */
  checksAccountId?: boolean;
  /** One entry → its connection and default account id; 'skip' leaves it out with a warning; undefined: problems reported. */
  readConfig(entry: Section, ids: { accountId?: string; explicitId?: string }): { connection: Extract<PosConnection, { pos: K }>; defaultId: string; realtime?: RealtimeConfig } | 'skip' | undefined;
  /** Its base URL and place (location, shop, store), nothing secret: start-up lines. */
  where(connection: Extract<PosConnection, { pos: K }>): string;
  /** One line for check-config and start-up logs; secrets masked. */
  describe(connection: Extract<PosConnection, { pos: K }>): string;
  /** Its published rate limit for this connection (the dashboard shows it). */
  rateLimit(connection: Extract<PosConnection, { pos: K }>): RateLimitModel;
  createAdapter(connection: Extract<PosConnection, { pos: K }>, deps: AdapterDeps): PosAdapter;
}
