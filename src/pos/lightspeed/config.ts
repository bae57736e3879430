/**
 * Lightspeed's part of appsettings.json: its `Type` names, its keys, how an entry becomes a
 * LightspeedConnection, and how one is described (secrets masked). Listed in the POS registry.
 */
import type { LightspeedConnection, RealtimeConfig } from '../accounts.ts';
import type { PosModule } from '../module.ts';
import type { Section } from '../../config/reader.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { maskSecret } from '../../config/mask.ts';
import { POS_ID, optionalCustomer, positiveId, readUrl, required } from '../../config/account-fields.ts';
import { createLightspeedAdapter } from './index.ts';
import { BUCKET_DEFAULTS } from './client.ts';

export function readLightspeed(entry: Section, ids: { accountId?: string }): { connection: LightspeedConnection; defaultId: string; realtime: RealtimeConfig } | undefined {
  const { accountId } = ids;
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
  for (const [key, value] of Object.entries(values)) required(entry, key, 'Lightspeed', value);
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

/** Seconds between change polls (ItemShop rows changed since the last one); 0 = off. */
function readLightspeedRealtime(entry: Section): RealtimeConfig {
  const seconds = entry.int('ChangePollSeconds', { min: 0, max: 3600 }) ?? DEFAULTS.changePollSeconds;
  if (seconds > 0 && seconds < 5) entry.issues.problem(entry.keyPath('ChangePollSeconds'), `must be 0 (off) or at least 5: each poll costs a call from the leaky bucket (got ${seconds})`);
  return { changePollSeconds: seconds === 0 ? null : seconds };
}

export const LIGHTSPEED_MODULE: PosModule<'lightspeed'> = {
  label: 'Lightspeed',
  typeNames: ['3', 'LIGHTSPEED'],
  configKeys: ['RefreshToken', 'ClientID', 'ClientSecret', 'EmployeeID', 'RegisterID', 'ShopID', 'LightspeedCustomerID', 'PaymentTypeID', 'ApiBaseUrl', 'TokenUrl', 'ChangePollSeconds'],
  checksAccountId: true,
  readConfig: readLightspeed,
  where: (c) => `${c.apiBaseUrl}, account ${c.accountId}, shop ${c.shopId}`,
  rateLimit: () => ({ kind: 'leaky-bucket', size: BUCKET_DEFAULTS.size, dripPerSecond: BUCKET_DEFAULTS.dripPerSecond }),
  describe: (c) =>
    (
        `Lightspeed account ${c.accountId} at ${c.apiBaseUrl} (tokens from ${c.tokenUrl}), shop ${c.shopId}, ` +
        `register ${c.registerId}, employee ${c.employeeId}, payment type ${c.paymentTypeId}` +
        `${c.customerId ? `, customer ${c.customerId}` : ''}, client id ${c.clientId}, client secret ${maskSecret(c.clientSecret)}, ` +
        `refresh token ${maskSecret(c.refreshToken)}${c.accessToken ? `, access token ${maskSecret(c.accessToken)}` : ''}`
      ),
  createAdapter: createLightspeedAdapter,
};
