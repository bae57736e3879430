/**
 * What a loaded configuration will connect to, for `possync check-config` and start-up logs.
 * Every secret goes through maskSecret or a password mask: these lines end up in terminals and logs.
 */
import cronstrue from 'cronstrue';
import type { PosConnection, RealtimeConfig } from '../pos/accounts.ts';
import { describeSink } from './connection-strings.ts';
import { maskPostgresUrl, maskSecret } from './mask.ts';
import type { PossyncConfig } from './types.ts';

export function describeConfig(config: PossyncConfig): string[] {
  const lines: string[] = [];
  lines.push(`config file: ${config.source ?? '(none: defaults and environment)'}`);
  const { server, schedule, core, sinkTable } = config;
  const keys = server.apiKeys.length === 0 ? 'no API keys: open API, loopback only' : `API keys ${server.apiKeys.map(maskSecret).join(', ')}`;
  lines.push(`server: http://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}, ${keys}${server.publicUrl ? `; POS webhooks reach it at ${server.publicUrl}` : ''}`);
  lines.push(
    `schedule: "${schedule.cron}" (${humanCron(schedule.cron)}) in ${schedule.timeZone}; ` +
      `on a first boot (no stored state) the synchronizer ${schedule.startOnBoot ? 'starts by itself' : 'waits for POST /api/synchronizer/start'}`,
  );
  lines.push(
    core.kind === 'pglite'
      ? `core database: embedded PGlite in ${core.dataDir}`
      : `core database: PostgreSQL ${maskPostgresUrl(core.connectionString)}`,
  );
  const c = sinkTable.columns;
  lines.push(`shop database: ${describeSink(config.sink)}`);
  lines.push(
    `shop table: ${sinkTable.name} (POS item ${c.posItemId}, e-commerce id ${c.ecommerceId}, quantity ${c.quantity}, ` +
      `account ${c.accountId}, description ${c.description}, limit ${c.limitQuantity})`,
  );
  lines.push(`accounts: ${config.accounts.length}`);
  for (const account of config.accounts) {
    lines.push(`  account "${account.id}" (${account.name}): ${describeConnection(account.connection)}${describeRealtime(account.realtime)}`);
  }
  return lines;
}

/** One account for start-up output: id, name, POS and base URL, and nothing secret. */
export function describeAccount(account: { id: string; name: string; connection: PosConnection; maxItemAgeSeconds?: number }): string {
  const c = account.connection;
  const url = c.pos === 'lightspeed' ? c.apiBaseUrl : c.baseUrl;
  const where = c.pos === 'square' ? `location ${c.locationIds.join(', ')}` : c.pos === 'lightspeed' ? `account ${c.accountId}, shop ${c.shopId}` : `store ${c.storeId}, warehouse ${c.warehouseId}`;
  return `"${account.id}" (${account.name}): ${c.pos} at ${url}, ${where}` +
    `${account.maxItemAgeSeconds !== undefined ? `, items stale after ${account.maxItemAgeSeconds} s` : ''}`;
}

function describeConnection(c: PosConnection): string {
  switch (c.pos) {
    case 'square':
      return (
        `Square at ${c.baseUrl}, location${c.locationIds.length > 1 ? 's' : ''} ${c.locationIds.join(', ')}` +
        `${c.locationIds.length > 1 ? ` (sales go to ${c.locationIds[0]})` : ''}, access token ${maskSecret(c.accessToken)}` +
        `${c.squareVersion ? `, Square-Version ${c.squareVersion}` : ''}`
      );
    case 'lightspeed':
      return (
        `Lightspeed account ${c.accountId} at ${c.apiBaseUrl} (tokens from ${c.tokenUrl}), shop ${c.shopId}, ` +
        `register ${c.registerId}, employee ${c.employeeId}, payment type ${c.paymentTypeId}` +
        `${c.customerId ? `, customer ${c.customerId}` : ''}, client id ${c.clientId}, client secret ${maskSecret(c.clientSecret)}, ` +
        `refresh token ${maskSecret(c.refreshToken)}${c.accessToken ? `, access token ${maskSecret(c.accessToken)}` : ''}`
      );
    case 'hiboutik':
      return (
        `Hiboutik account ${c.accountName} at ${c.baseUrl}, store ${c.storeId}, warehouse ${c.warehouseId}` +
        `${c.customerId ? `, customer ${c.customerId}` : ''}, login ${c.email}, API key ${maskSecret(c.apiKey)}, ` +
        `${c.maximumRequests} calls a month (${c.reserveForSales} kept for sales)`
      );
  }
}

function describeRealtime(realtime: RealtimeConfig | undefined): string {
  const parts: string[] = [];
  if (realtime?.changePollSeconds) parts.push(`change polls every ${realtime.changePollSeconds} s`);
  if (realtime?.webhook) parts.push(`webhook signature key ${maskSecret(realtime.webhook.signatureKey)}${realtime.webhook.url ? ` for ${realtime.webhook.url}` : ''}`);
  return parts.length > 0 ? `; ${parts.join(', ')}` : '';
}

function humanCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true });
  } catch {
    return 'custom schedule';
  }
}
