/**
 * What a loaded configuration will connect to, for `possync check-config` and start-up logs.
 * Every secret goes through maskSecret or a password mask: these lines end up in terminals and logs.
 */
import cronstrue from 'cronstrue';
import type { PosConnection, RealtimeConfig } from '../pos/accounts.ts';
import { describeConnection, whereConnection } from '../pos/registry.ts';
import { describeSink } from './connection-strings.ts';
import { maskPostgresUrl, maskSecret } from './mask.ts';
import type { PossyncConfig } from './types.ts';
import { describeBreaker } from './breaker.ts';
import { DEFAULTS } from './defaults.ts';

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
      : `core database: PostgreSQL ${maskPostgresUrl(core.connectionString)} (${core.poolSize ?? DEFAULTS.corePoolSize} query connections)`,
  );
  const c = sinkTable.columns;
  lines.push(`shop database: ${describeSink(config.sink)}`);
  lines.push(
    `shop table: ${sinkTable.name} (POS item ${c.posItemId}, e-commerce id ${c.ecommerceId}, quantity ${c.quantity}, ` +
      `account ${c.accountId}, description ${c.description}, limit ${c.limitQuantity})`,
  );
  lines.push(`breaker: ${describeBreaker(config.breaker)}`);
  lines.push(
    `jobs: a job whose worker stops answering is retried ${config.jobs.heartbeatSeconds} s after its last heartbeat; ` +
      `a stopped dispatcher's account is taken over ${config.jobs.dispatchLeaseSeconds} s after its last lease renewal`,
  );
  lines.push(`accounts: ${config.accounts.length}`);
  for (const account of config.accounts) {
    lines.push(`  account "${account.id}" (${account.name}): ${describeConnection(account.connection)}${describeRealtime(account.realtime)}`);
    if (account.breaker && !sameBreaker(account.breaker, config.breaker)) lines.push(`    breaker: ${describeBreaker(account.breaker)}`);
  }
  return lines;
}

/** One account for start-up output: id, name, POS and where it points, and nothing secret. */
export function describeAccount(account: { id: string; name: string; connection: PosConnection; maxItemAgeSeconds?: number }): string {
  return `"${account.id}" (${account.name}): ${account.connection.pos} at ${whereConnection(account.connection)}` +
    `${account.maxItemAgeSeconds !== undefined ? `, items stale after ${account.maxItemAgeSeconds} s` : ''}`;
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

function sameBreaker(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
