/**
 * Hiboutik's part of appsettings.json: its `Type` names, its keys, how an entry becomes a
 * HiboutikConnection, and how one is described (secrets masked). Listed in the POS registry.
 */
import type { HiboutikConnection } from '../accounts.ts';
import type { PosModule } from '../module.ts';
import type { Section } from '../../config/reader.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { maskSecret } from '../../config/mask.ts';
import { POS_ID, optionalCustomer, positiveId, readUrl, required } from '../../config/account-fields.ts';
import { createHiboutikAdapter } from './index.ts';

export function readHiboutik(entry: Section): { connection: HiboutikConnection; defaultId: string } | undefined {
  const apiKey = entry.string('AccessToken', { secret: true });
  const email = entry.string('EmailAddress');
  const accountName = entry.string('AccountName');
  required(entry, 'AccessToken', 'Hiboutik', apiKey);
  required(entry, 'EmailAddress', 'Hiboutik', email);
  required(entry, 'AccountName', 'Hiboutik', accountName);
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

export const HIBOUTIK_MODULE: PosModule<'hiboutik'> = {
  label: 'Hiboutik',
  typeNames: ['2', 'HIBOUTIK'],
  configKeys: ['EmailAddress', 'AccountName', 'StoreID', 'WarehouseID', 'HiboutikCustomerID', 'MaximumRequests', 'ReserveForSales', 'BaseUrl'],
  fallbackIdKey: 'AccountName',
  readConfig: readHiboutik,
  where: (c) => `${c.baseUrl}, store ${c.storeId}, warehouse ${c.warehouseId}`,
  // Hiboutik's published limits: MaximumRequests a month per shop, 30 calls in flight.
  rateLimit: (c) => ({ kind: 'monthly-quota', callsPerMonth: c.maximumRequests, maxConcurrent: 30 }),
  describe: (c) =>
    (
        `Hiboutik account ${c.accountName} at ${c.baseUrl}, store ${c.storeId}, warehouse ${c.warehouseId}` +
        `${c.customerId ? `, customer ${c.customerId}` : ''}, login ${c.email}, API key ${maskSecret(c.apiKey)}, ` +
        `${c.maximumRequests} calls a month (${c.reserveForSales} kept for sales)`
      ),
  createAdapter: createHiboutikAdapter,
};
