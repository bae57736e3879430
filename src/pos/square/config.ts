/**
 * Square's part of appsettings.json: its `Type` names, its keys, how an entry becomes a
 * SquareConnection, and how one is described (secrets masked). Listed in the POS registry.
 */
import type { RealtimeConfig, SquareConnection } from '../accounts.ts';
import type { PosModule } from '../module.ts';
import type { Section } from '../../config/reader.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { maskSecret } from '../../config/mask.ts';
import { POS_ID, readUrl, required } from '../../config/account-fields.ts';
import { createSquareAdapter } from './index.ts';

export function readSquare(entry: Section, ids: { accountId?: string; explicitId?: string }): { connection: SquareConnection; defaultId: string; realtime?: RealtimeConfig } | 'skip' | undefined {
  const { accountId, explicitId } = ids;
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
  required(entry, 'AccessToken', 'Square', accessToken);
  const realtime = readSquareRealtime(entry);
  if (accessToken === undefined || baseUrl === undefined || locationIds.length === 0) return undefined;
  return {
    connection: { pos: 'square', baseUrl, accessToken, locationIds, ...(squareVersion ? { squareVersion } : {}) },
    defaultId: locationIds[0]!,
    ...(realtime ? { realtime } : {}),
  };
}

/**
 * Real-time keys: a webhook subscription made by hand in the Developer Dashboard
 * (`possync webhooks setup` stores the key itself when it can register).
 */
function readSquareRealtime(entry: Section): RealtimeConfig | undefined {
  const signatureKey = entry.string('WebhookSignatureKey', { secret: true });
  const url = entry.has('WebhookUrl') ? readUrl(entry, 'WebhookUrl', '') : undefined;
  if (url !== undefined && signatureKey === undefined) entry.issues.problem(entry.keyPath('WebhookSignatureKey'), 'is required when WebhookUrl is set');
  return signatureKey === undefined ? undefined : { changePollSeconds: null, webhook: { signatureKey, ...(url ? { url } : {}) } };
}

export const SQUARE_MODULE: PosModule<'square'> = {
  label: 'Square',
  typeNames: ['1', 'SQUAREPOS', 'SQUARE'],
  configKeys: ['Locations', 'LocationID', 'BaseUrl', 'SquareVersion', 'WebhookSignatureKey', 'WebhookUrl'],
  fallbackIdKey: 'LocationID',
  readConfig: readSquare,
  where: (c) => `${c.baseUrl}, location ${c.locationIds.join(', ')}`,
  rateLimit: () => ({ kind: 'unpublished' }),
  describe: (c) =>
    (
        `Square at ${c.baseUrl}, location${c.locationIds.length > 1 ? 's' : ''} ${c.locationIds.join(', ')}` +
        `${c.locationIds.length > 1 ? ` (sales go to ${c.locationIds[0]})` : ''}, access token ${maskSecret(c.accessToken)}` +
        `${c.squareVersion ? `, Square-Version ${c.squareVersion}` : ''}`
      ),
  createAdapter: createSquareAdapter,
};
