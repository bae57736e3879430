import { randomBytes } from 'node:crypto';
import type { SqlQueryable } from '../core/sql.ts';
import { getWebhookEndpoint, saveWebhookEndpoint } from '../core/webhooks.ts';
import type { AccountHandle, AccountSet } from './accounts.ts';
import { describeError } from './errors.ts';
import { EngineInputError, type WebhookControl } from './ports.ts';
import { tokenDigest, webhookPath, type WebhookIntake } from './webhooks.ts';

/**
 * `possync webhooks setup <account>`: registers possync's URL with the POS where its API allows
 * (Square's webhook subscriptions, Hiboutik's /webhooks), stores what proves a delivery genuine,
 * and says what to paste by hand where it cannot. Running it again replaces the registration
 * (a new Hiboutik token, a new Square subscription) and removes the old one afterwards.
 */
export interface WebhookSetupResult {
  accountId: string;
  pos: string;
  /** registered: done through the POS API; manual: follow `lines`; change-poll: the POS cannot push, possync polls changes; none: neither. */
  mode: 'registered' | 'manual' | 'change-poll' | 'none';
  /**
   * The URL the POS posts to. A Hiboutik URL holds its secret token: shown in full only in manual
   * mode (someone has to paste it, and it is never stored), with `<token>` in its place otherwise.
   */
  notificationUrl: string | null;
  lines: string[];
}

export interface SetupOptions {
  publicUrl: string;
  /** Do not call the POS: store what possync can and print the steps to do by hand. */
  manual?: boolean;
}

/** 256 bits, URL-safe: the secret of a POS that signs nothing. */
const newToken = () => randomBytes(32).toString('base64url');

export async function setupWebhooks(sql: SqlQueryable, account: AccountHandle, options: SetupOptions): Promise<WebhookSetupResult> {
  const { id: accountId, connection, realtime } = account.config;
  const pos = connection.pos;
  const push = account.adapter.push;
  const base = { accountId, pos };
  if (!push) {
    if (account.adapter.readChangedSince && realtime?.changePollSeconds) {
      return {
        ...base,
        mode: 'change-poll',
        notificationUrl: null,
        lines: [
          `${account.config.name}: this POS cannot push stock changes. While the synchronizer runs, possync asks it for`,
          `the counts changed since its last look every ${realtime.changePollSeconds} s (ChangePollSeconds), one call when nothing changed.`,
        ],
      };
    }
    return { ...base, mode: 'none', notificationUrl: null, lines: [`${account.config.name}: this POS cannot push stock changes; possync sees them at the next poll.`] };
  }

  const token = push.proof === 'url-token' ? newToken() : null;
  const notificationUrl = `${options.publicUrl}${webhookPath(pos, accountId)}${token ? `/${token}` : ''}`;
  const previous = await getWebhookEndpoint(sql, accountId);
  const manual = async (why: string | null): Promise<WebhookSetupResult> => {
    // A token is possync's own secret: stored now, so the URL works as soon as it is pasted. Earlier
    // registrations stay listed, so the next registration through the API still removes them.
    if (token) await saveWebhookEndpoint(sql, { accountId, proof: 'url-token', secret: tokenDigest(token), notificationUrl, posReferences: previous?.posReferences ?? [] });
    return { ...base, mode: 'manual', notificationUrl, lines: [...(why ? [why] : []), ...push.manualSteps(notificationUrl)] };
  };
  if (options.manual) return manual(null);

  let registered: { signatureKey?: string; references: string[] };
  try {
    registered = await push.register(notificationUrl);
  } catch (error) {
    return manual(`${account.config.name}: the POS did not accept the registration (${describeError(error)}); set it up by hand:`);
  }
  const secret = push.proof === 'url-token' ? tokenDigest(token!) : registered.signatureKey;
  if (!secret) throw new Error(`${pos} registration returned no signature key`);
  await saveWebhookEndpoint(sql, { accountId, proof: push.proof, secret, notificationUrl, posReferences: registered.references });
  const shownUrl = token ? notificationUrl.replace(token, '<token>') : notificationUrl;
  const lines = [`${account.config.name}: registered ${shownUrl} with the POS (${registered.references.join(', ')}).`];
  // Old registrations go only once the new one is stored, so no delivery falls in between.
  if (previous && previous.posReferences.length > 0) {
    try {
      await push.unregister(previous.posReferences.filter((ref) => !registered.references.includes(ref)));
      lines.push(`removed the earlier registration (${previous.posReferences.join(', ')}).`);
    } catch (error) {
      lines.push(`could not remove the earlier registration (${previous.posReferences.join(', ')}): ${describeError(error)}; remove it in the POS.`);
    }
  }
  if (realtime?.webhook) lines.push('note: WebhookSignatureKey is set in the config and wins over the key stored now; remove it to use this subscription.');
  return { ...base, mode: 'registered', notificationUrl: shownUrl, lines };
}

/** The service's WebhookControl: intake plus set-up against the accounts of this process. */
export function webhookControl(sql: SqlQueryable, accounts: AccountSet, intake: WebhookIntake, publicUrl: () => string): WebhookControl {
  return {
    receive: (pos, accountId, token, delivery) => intake.receive(pos, accountId, token, delivery),
    async setup(accountId, options = {}) {
      const account = accounts.get(accountId);
      if (!account) throw new EngineInputError('account_id', `no configured account has the id "${accountId}"`, 404, { known_account_ids: accounts.ids() });
      return setupWebhooks(sql, account, { publicUrl: publicUrl(), ...options });
    },
  };
}
