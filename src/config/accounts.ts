/**
 * `PosAccess.PosConfigurations[]` → AccountConfig[]. Keys and meanings follow the original
 * (POSConfigurationList.cs, POSInterfaceProvider.cs); possync's additions sit beside them.
 *
 * Account ids follow what the original matched `account_id` against (ItemsController compared it
 * with each POS object's AccountID): Lightspeed → AccountID, Hiboutik → AccountName, Square →
 * AccountID, which the Square code used as the *location* id in its URLs. possync adds `Id` to
 * override it (two shops of one Lightspeed account, two stores of one Hiboutik account).
 */
import type { AccountConfig, HiboutikConnection, LightspeedConnection, PosType, RealtimeConfig, SquareConnection } from '../pos/accounts.ts';
import { DEFAULTS } from './defaults.ts';
import { type Issues, Section } from './reader.ts';

const COMMON_KEYS = ['Type', 'Id', 'Name', 'AccountID', 'AccessToken', 'MaxItemAgeSeconds'] as const;

const KEYS: Record<PosType, readonly string[]> = {
  square: ['Locations', 'LocationID', 'BaseUrl', 'SquareVersion', 'WebhookSignatureKey', 'WebhookUrl'],
  hiboutik: ['EmailAddress', 'AccountName', 'StoreID', 'WarehouseID', 'HiboutikCustomerID', 'MaximumRequests', 'ReserveForSales', 'BaseUrl'],
  lightspeed: ['RefreshToken', 'ClientID', 'ClientSecret', 'EmployeeID', 'RegisterID', 'ShopID', 'LightspeedCustomerID', 'PaymentTypeID', 'ApiBaseUrl', 'TokenUrl', 'ChangePollSeconds'],
};

const LABEL: Record<PosType, string> = { square: 'Square', hiboutik: 'Hiboutik', lightspeed: 'Lightspeed' };

/** Every key any entry may carry, for "did you mean" suggestions. */
const ALL_KEYS = [...new Set([...COMMON_KEYS, ...Object.values(KEYS).flat(), 'FirebaseFCMID'])];

/** Keys meaningful for another POS: a warning that names the POS, not "unknown key". */
function foreignKeys(pos: PosType): Record<string, string> {
  const out: Record<string, string> = { FirebaseFCMID: "is only used by the original's mobile client (Type 4)" };
  for (const other of Object.keys(KEYS) as PosType[]) {
    if (other === pos) continue;
    for (const key of KEYS[other]) if (!KEYS[pos].includes(key)) out[key] = `is a ${LABEL[other]} key, not used by a ${LABEL[pos]} account`;
  }
  return out;
}

type TypeRead = PosType | 'mobile' | undefined;

/** `Type`: 1/2/3/4 as numbers or text, or the EnumPOSTypes names, case-insensitively. */
function readType(entry: Section): TypeRead {
  const raw = entry.raw('Type');
  const path = entry.keyPath('Type');
  if (raw === undefined || (raw.kind === 'value' && (raw.value === null || raw.value === ''))) {
    entry.issues.problem(path, 'is required: 1 (or SQUAREPOS) = Square, 2 (HIBOUTIK) = Hiboutik, 3 (LIGHTSPEED) = Lightspeed');
    return undefined;
  }
  const text = raw.kind === 'value' ? String(raw.value).trim().toUpperCase() : '';
  const byName: Record<string, TypeRead> = {
    '1': 'square', SQUAREPOS: 'square', SQUARE: 'square',
    '2': 'hiboutik', HIBOUTIK: 'hiboutik',
    '3': 'lightspeed', LIGHTSPEED: 'lightspeed',
    '4': 'mobile', MOBILE_CLIENT: 'mobile',
  };
  const type = byName[text];
  if (type === undefined) {
    entry.issues.problem(path, `must be 1 (SQUAREPOS), 2 (HIBOUTIK) or 3 (LIGHTSPEED)${raw.kind === 'value' ? ` (got "${String(raw.value).slice(0, 40)}")` : ''}`);
  }
  return type;
}

function readUrl(entry: Section, key: string, fallback: string, accountName?: string): string | undefined {
  const template = entry.string(key) ?? fallback;
  const text = accountName !== undefined ? template.replace(/\{AccountName\}/gi, accountName) : template;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    entry.issues.problem(entry.keyPath(key), `must be an http:// or https:// URL (got "${text.slice(0, 80)}")`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    entry.issues.problem(entry.keyPath(key), `must be an http:// or https:// URL (got "${text.slice(0, 80)}")`);
    return undefined;
  }
  if (url.username || url.password) {
    entry.issues.problem(entry.keyPath(key), 'must not carry credentials; use the account keys');
    return undefined;
  }
  return text.replace(/\/+$/, '');
}

/** Ids that go into POS URLs and API paths: letters, digits, dash, underscore. */
const POS_ID = /^[A-Za-z0-9_-]+$/;

function required(entry: Section, key: string, pos: PosType, value: unknown): void {
  if (value === undefined && !entry.has(key)) entry.issues.problem(entry.keyPath(key), `is required for a ${LABEL[pos]} account`);
}

/** Positive ids: number or digits, kept as text (the adapters send them in URLs and bodies). */
function positiveId(entry: Section, key: string): string | undefined {
  const n = entry.int(key, { min: 1 });
  return n === undefined ? undefined : String(n);
}

/** The original's int customer ids: 0 (its default) means "no customer". */
function optionalCustomer(entry: Section, key: string): string | undefined {
  const n = entry.int(key, { min: 0 });
  return n === undefined || n === 0 ? undefined : String(n);
}

type Read<C> = { connection: C; defaultId: string; realtime?: RealtimeConfig };

/**
 * Real-time keys (issue 11), one place per POS. Square: a webhook subscription made by hand in
 * the Developer Dashboard (`possync webhooks setup` stores the key itself when it can register).
 */
function readSquareRealtime(entry: Section): RealtimeConfig | undefined {
  const signatureKey = entry.string('WebhookSignatureKey', { secret: true });
  const url = readOptionalUrl(entry, 'WebhookUrl');
  if (url !== undefined && signatureKey === undefined) entry.issues.problem(entry.keyPath('WebhookSignatureKey'), 'is required when WebhookUrl is set');
  return signatureKey === undefined ? undefined : { changePollSeconds: null, webhook: { signatureKey, ...(url ? { url } : {}) } };
}

/** Lightspeed: seconds between change polls (ItemShop rows changed since the last one); 0 = off. */
function readLightspeedRealtime(entry: Section): RealtimeConfig {
  const seconds = entry.int('ChangePollSeconds', { min: 0, max: 3600 }) ?? DEFAULTS.changePollSeconds;
  if (seconds > 0 && seconds < 5) entry.issues.problem(entry.keyPath('ChangePollSeconds'), `must be 0 (off) or at least 5: each poll costs a call from the leaky bucket (got ${seconds})`);
  return { changePollSeconds: seconds === 0 ? null : seconds };
}

function readOptionalUrl(entry: Section, key: string): string | undefined {
  return entry.has(key) ? readUrl(entry, key, '') : undefined;
}

function readSquare(entry: Section, accountId: string | undefined, explicitId: string | undefined): Read<SquareConnection> | 'skip' | undefined {
  const accessToken = entry.string('AccessToken', { secret: true });
  const locations = entry.stringList('Locations') ?? [];
  const single = entry.string('LocationID');
  // The original's Square code used AccountID as the location in its URLs.
  const locationIds = [...new Set([...(single ? [single] : []), ...locations, ...(!single && locations.length === 0 && accountId ? [accountId] : [])])];
  const baseUrl = readUrl(entry, 'BaseUrl', DEFAULTS.squareBaseUrl);
  const squareVersion = entry.string('SquareVersion');
  if (squareVersion !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(squareVersion)) {
    entry.issues.problem(entry.keyPath('SquareVersion'), `must be a date like 2026-09-16 (got "${squareVersion.slice(0, 40)}")`);
  }
  if (locationIds.length === 0 && explicitId === undefined && accountId === undefined) {
    // Like the third entry of the original appsettings.json: no location and no id, so the
    // original could neither poll it nor address it. Skipped so that file loads unchanged.
    entry.issues.warning(entry.path, 'is a Square account with no location (Locations, LocationID or AccountID): skipped');
    return 'skip';
  }
  if (locationIds.length === 0) entry.issues.problem(entry.keyPath('Locations'), 'is required for a Square account (or LocationID)');
  for (const [index, location] of locationIds.entries()) {
    if (!POS_ID.test(location)) entry.issues.problem(entry.keyPath(`Locations[${index}]`), `is not a Square location id (got "${location.slice(0, 40)}")`);
  }
  required(entry, 'AccessToken', 'square', accessToken);
  const realtime = readSquareRealtime(entry);
  if (accessToken === undefined || baseUrl === undefined || locationIds.length === 0) return undefined;
  return {
    connection: { pos: 'square', baseUrl, accessToken, locationIds, ...(squareVersion ? { squareVersion } : {}) },
    defaultId: locationIds[0]!,
    ...(realtime ? { realtime } : {}),
  };
}

function readHiboutik(entry: Section): Read<HiboutikConnection> | undefined {
  const apiKey = entry.string('AccessToken', { secret: true });
  const email = entry.string('EmailAddress');
  const accountName = entry.string('AccountName');
  required(entry, 'AccessToken', 'hiboutik', apiKey);
  required(entry, 'EmailAddress', 'hiboutik', email);
  required(entry, 'AccountName', 'hiboutik', accountName);
  if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) entry.issues.problem(entry.keyPath('EmailAddress'), 'must be an email address');
  const nameOk = accountName !== undefined && POS_ID.test(accountName);
  if (accountName !== undefined && !nameOk) {
    entry.issues.problem(entry.keyPath('AccountName'), `must be the Hiboutik account name (the part before .hiboutik.com), got "${accountName.slice(0, 40)}"`);
  }
  let storeId = positiveId(entry, 'StoreID');
  if (storeId === undefined && !entry.has('StoreID')) {
    storeId = DEFAULTS.hiboutikStoreId;
    entry.issues.warning(entry.keyPath('StoreID'), `is not set: using store ${storeId} (Hiboutik's first store); set it to be sure`);
  }
  const warehouseId = positiveId(entry, 'WarehouseID') ?? (entry.has('WarehouseID') ? undefined : storeId);
  const customerId = optionalCustomer(entry, 'HiboutikCustomerID');
  const maximumRequests = entry.int('MaximumRequests', { min: 1 }) ?? (entry.has('MaximumRequests') ? undefined : DEFAULTS.maximumRequests);
  let reserveForSales = entry.int('ReserveForSales', { min: 0 });
  if (reserveForSales === undefined && !entry.has('ReserveForSales') && maximumRequests !== undefined) {
    reserveForSales = Math.floor(maximumRequests * DEFAULTS.reserveForSalesShare);
  }
  if (reserveForSales !== undefined && maximumRequests !== undefined && reserveForSales >= maximumRequests) {
    entry.issues.problem(entry.keyPath('ReserveForSales'), `must be less than MaximumRequests (${maximumRequests})`);
    reserveForSales = undefined;
  }
  if (!nameOk) entry.accept('BaseUrl'); // its default needs the name; the name's problem is reported
  const baseUrl = nameOk ? readUrl(entry, 'BaseUrl', DEFAULTS.hiboutikBaseUrl, accountName) : undefined;
  if (
    apiKey === undefined || email === undefined || !nameOk || storeId === undefined || warehouseId === undefined ||
    maximumRequests === undefined || reserveForSales === undefined || baseUrl === undefined
  ) {
    return undefined;
  }
  return {
    connection: {
      pos: 'hiboutik', baseUrl, accountName: accountName!, email, apiKey, storeId, warehouseId,
      ...(customerId ? { customerId } : {}), maximumRequests, reserveForSales,
    },
    defaultId: accountName!,
  };
}

function readLightspeed(entry: Section, accountId: string | undefined): Read<LightspeedConnection> | undefined {
  const clientId = entry.string('ClientID');
  const clientSecret = entry.string('ClientSecret', { secret: true });
  const refreshToken = entry.string('RefreshToken', { secret: true });
  const accessToken = entry.string('AccessToken', { secret: true });
  const shopId = positiveId(entry, 'ShopID');
  const employeeId = positiveId(entry, 'EmployeeID');
  const registerId = positiveId(entry, 'RegisterID');
  const paymentTypeId = positiveId(entry, 'PaymentTypeID') ?? (entry.has('PaymentTypeID') ? undefined : DEFAULTS.lightspeedPaymentTypeId);
  const customerId = optionalCustomer(entry, 'LightspeedCustomerID');
  const values = { AccountID: accountId, ClientID: clientId, ClientSecret: clientSecret, RefreshToken: refreshToken, ShopID: shopId, EmployeeID: employeeId, RegisterID: registerId };
  for (const [key, value] of Object.entries(values)) required(entry, key, 'lightspeed', value);
  if (accountId !== undefined && !POS_ID.test(accountId)) {
    entry.issues.problem(entry.keyPath('AccountID'), `must be the Lightspeed account number (got "${accountId.slice(0, 40)}")`);
  }
  const apiBaseUrl = readUrl(entry, 'ApiBaseUrl', DEFAULTS.lightspeedApiBaseUrl);
  const tokenUrl = readUrl(entry, 'TokenUrl', DEFAULTS.lightspeedTokenUrl);
  const realtime = readLightspeedRealtime(entry);
  if (
    accountId === undefined || !POS_ID.test(accountId) || clientId === undefined || clientSecret === undefined || refreshToken === undefined ||
    shopId === undefined || employeeId === undefined || registerId === undefined || paymentTypeId === undefined ||
    apiBaseUrl === undefined || tokenUrl === undefined
  ) {
    return undefined;
  }
  return {
    connection: {
      pos: 'lightspeed', apiBaseUrl, tokenUrl, accountId, clientId, clientSecret, refreshToken,
      ...(accessToken ? { accessToken } : {}), shopId, employeeId, registerId, paymentTypeId, ...(customerId ? { customerId } : {}),
    },
    defaultId: accountId,
    realtime,
  };
}

/** Reads every entry, reporting all problems, and checks ids are unique. */
export function readAccounts(posAccess: Section, issues: Issues): AccountConfig[] {
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
    const read =
      type === 'square' ? readSquare(entry, accountId, explicitId) : type === 'hiboutik' ? readHiboutik(entry) : readLightspeed(entry, accountId);
    entry.finish([...COMMON_KEYS, ...KEYS[type]], foreignKeys(type));
    if (read === 'skip') continue;
    // Entries with other problems still take part in the duplicate check when their id is known.
    // Ids travel in API paths (GET /api/items/{accountID}); Lightspeed's AccountID is checked above.
    const badId: [string, string] | undefined =
      explicitId !== undefined ? ['Id', explicitId] : accountId !== undefined && type !== 'lightspeed' ? ['AccountID', accountId] : undefined;
    if (badId && /\s|\//.test(badId[1])) {
      issues.problem(entry.keyPath(badId[0]), `must not contain spaces or slashes (it is the account_id of the API; got "${badId[1].slice(0, 40)}")`);
      continue;
    }
    const id = explicitId ?? accountId ?? read?.defaultId ?? fallbackId(entry, type);
    if (id !== undefined) ids.push({ id, path: entry.path });
    if (read !== undefined && id !== undefined) accounts.push({
      id,
      name: name ?? `${LABEL[type]} ${id}`,
      connection: read.connection,
      ...(maxItemAgeSeconds !== undefined ? { maxItemAgeSeconds } : {}),
      ...(read.realtime ? { realtime: read.realtime } : {}),
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
  const key = type === 'hiboutik' ? 'AccountName' : type === 'square' ? 'LocationID' : undefined;
  const node = key ? entry.node?.entries.get(key.toLowerCase())?.node : undefined;
  if (node?.kind === 'value' && (typeof node.value === 'string' || typeof node.value === 'number') && POS_ID.test(String(node.value).trim())) {
    return String(node.value).trim();
  }
  return undefined;
}
