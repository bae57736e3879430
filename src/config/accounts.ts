/**
 * `PosAccess.PosConfigurations[]` → AccountConfig[]. Keys and meanings follow the original
 * (POSConfigurationList.cs, POSInterfaceProvider.cs); possync's additions sit beside them.
 *
 * Account ids follow what the original matched `account_id` against (ItemsController compared it
 * with each POS object's AccountID): Lightspeed → AccountID, Hiboutik → AccountName, Square →
 * AccountID, which the Square code used as the *location* id in its URLs. possync adds `Id` to
 * override it (two shops of one Lightspeed account, two stores of one Hiboutik account).
 */
import type { AccountConfig, PosType } from '../pos/accounts.ts';
import { POS_MODULES, POS_TYPES, posModule } from '../pos/registry.ts';
import { POS_ID } from './account-fields.ts';
import { type Issues, Section } from './reader.ts';
import { type BreakerSettings, DEFAULT_BREAKER, readBreaker } from './breaker.ts';

const COMMON_KEYS = ['Type', 'Id', 'Name', 'AccountID', 'AccessToken', 'MaxItemAgeSeconds', 'Breaker'] as const;

const label = (pos: PosType) => POS_MODULES[pos].label;

/** Every key any entry may carry, for "did you mean" suggestions. */
const ALL_KEYS = [...new Set([...COMMON_KEYS, ...POS_TYPES.flatMap((pos) => POS_MODULES[pos].configKeys), 'FirebaseFCMID'])];

/** Keys meaningful for another POS: a warning that names the POS, not "unknown key". */
function foreignKeys(pos: PosType): Record<string, string> {
  const out: Record<string, string> = { FirebaseFCMID: "is only used by the original's mobile client (Type 4)" };
  const own = POS_MODULES[pos].configKeys;
  for (const other of POS_TYPES) {
    if (other === pos) continue;
    for (const key of POS_MODULES[other].configKeys) if (!own.includes(key)) out[key] = `is a ${label(other)} key, not used by a ${label(pos)} account`;
  }
  return out;
}

type TypeRead = PosType | 'mobile' | undefined;

/** `Type`: 1/2/3/4 as numbers or text, or the EnumPOSTypes names, case-insensitively. */
function readType(entry: Section): TypeRead {
  const raw = entry.raw('Type');
  const path = entry.keyPath('Type');
  const choices = POS_TYPES.map((pos) => `${POS_MODULES[pos].typeNames[0]} (${POS_MODULES[pos].typeNames[1]})`);
  if (raw === undefined || (raw.kind === 'value' && (raw.value === null || raw.value === ''))) {
    entry.issues.problem(path, `is required: ${POS_TYPES.map((pos, i) => `${choices[i]} = ${label(pos)}`).join(', ')}`);
    return undefined;
  }
  const text = raw.kind === 'value' ? String(raw.value).trim().toUpperCase() : '';
  if (text === '4' || text === 'MOBILE_CLIENT') return 'mobile';
  const type = POS_TYPES.find((pos) => POS_MODULES[pos].typeNames.includes(text));
  if (type === undefined) {
    entry.issues.problem(path, `must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}${raw.kind === 'value' ? ` (got "${String(raw.value).slice(0, 40)}")` : ''}`);
  }
  return type;
}

/** Reads every entry, reporting all problems, and checks ids are unique. */
/**
 * `breaker`: the global thresholds, or undefined when the config has no Breaker section (accounts
 * then carry thresholds only when they override one: the engine falls back to the defaults).
 */
export function readAccounts(posAccess: Section, issues: Issues, breaker: BreakerSettings | undefined): AccountConfig[] {
  const accounts: AccountConfig[] = [];
  const ids: Array<{ id: string; path: string }> = [];
  for (const entry of posAccess.sections('PosConfigurations')) {
    const type = readType(entry);
    if (type === 'mobile') {
      issues.problem(entry.keyPath('Type'), "is 4 (MOBILE_CLIENT, the original's phone push client): possync does not support it; remove this entry");
      entry.accept(...ALL_KEYS);
      continue;
    }
    if (type === undefined) {
      entry.accept(...ALL_KEYS);
      continue;
    }
    const explicitId = entry.string('Id');
    const name = entry.string('Name');
    const accountId = entry.string('AccountID');
    const maxItemAgeSeconds = entry.int('MaxItemAgeSeconds', { min: 1 });
    const breakerOverride = readBreaker(Section.of(entry.raw('Breaker'), entry.keyPath('Breaker'), issues));
    const module = posModule(type);
    const read = module.readConfig(entry, { accountId, explicitId });
    entry.finish([...COMMON_KEYS, ...module.configKeys], foreignKeys(type));
    if (read === 'skip') continue;
    // Entries with other problems still take part in the duplicate check when their id is known.
    // Ids travel in API paths (GET /api/items/{accountID}); Lightspeed's AccountID is checked above.
    const badId: [string, string] | undefined =
      explicitId !== undefined ? ['Id', explicitId] : accountId !== undefined && !module.checksAccountId ? ['AccountID', accountId] : undefined;
    if (badId && /\s|\//.test(badId[1])) {
      issues.problem(entry.keyPath(badId[0]), `must not contain spaces or slashes (it is the account_id of the API; got "${badId[1].slice(0, 40)}")`);
      continue;
    }
    const id = explicitId ?? accountId ?? read?.defaultId ?? fallbackId(entry, type);
    if (id !== undefined) ids.push({ id, path: entry.path });
    if (read !== undefined && id !== undefined) accounts.push({
      id,
      name: name ?? `${module.label} ${id}`,
      connection: read.connection,
      ...(read.realtime ? { realtime: read.realtime } : {}),
      ...(maxItemAgeSeconds !== undefined ? { maxItemAgeSeconds } : {}),
      ...(breaker || Object.keys(breakerOverride).length > 0 ? { breaker: { ...(breaker ?? DEFAULT_BREAKER), ...breakerOverride } } : {}),
    });
  }
  const seen = new Map<string, string>();
  for (const { id, path } of ids) {
    const first = seen.get(id);
    if (first) issues.problem(path, `has the same account id "${id}" as ${first}; set a distinct Id`);
    else seen.set(id, path);
  }
  return accounts;
}

/** The id an entry would get had it loaded, read without reporting anything twice. */
function fallbackId(entry: Section, type: PosType): string | undefined {
  const key = POS_MODULES[type].fallbackIdKey;
  const node = key ? entry.node?.entries.get(key.toLowerCase())?.node : undefined;
  if (node?.kind === 'value' && (typeof node.value === 'string' || typeof node.value === 'number') && POS_ID.test(String(node.value).trim())) {
    return String(node.value).trim();
  }
  return undefined;
}
