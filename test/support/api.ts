/**
 * An in-memory `Service` for the API's item and synchronizer tests: real behaviour over maps (it
 * registers, lists, queues), not call-asserting mocks. Sales are never faked: the sale routes are
 * tested over the real ledger (sales.test.ts), so this one only takes a real SaleLedger in.
 */
import {
  EngineInputError,
  type AccountFreshness,
  type HealthReport,
  type Readiness,
  type ItemRegistry,
  type ItemView,
  type RegisterItemRequest,
  type SaleLedger,
  type RunControl,
  type Service,
  type SynchronizerControl,
  type SynchronizerStatus,
  type RegisterTaskView,
  type TaskView,
  type WebhookControl,
} from '../../src/engine/ports.ts';
import type { WebhookDelivery } from '../../src/pos/contract.ts';
import type { WebhookAnswer } from '../../src/engine/webhooks.ts';
import type { WebhookSetupResult } from '../../src/engine/webhook-setup.ts';
import { buildApi } from '../../src/api/app.ts';
import type { Logger } from '../../src/log.ts';

export interface FakeAccount {
  id: string;
  name: string;
  pos: string;
  /** POS catalogue: item id → name and on-hand count. */
  catalogue: Map<string, { name: string; onHand: number }>;
}

const NOW = '2026-11-27T07:00:00.000Z';

class FakeSynchronizer implements SynchronizerControl {
  running = false;
  cron = '* * * * *';
  timeZone = 'UTC';
  private nextJob = 1;
  /** Accounts with a poll queued and not yet run (so a second force collapses into it). */
  readonly queued = new Map<string, string>();

  constructor(private readonly owner: FakeService) {}

  async status(): Promise<SynchronizerStatus> {
    this.owner.maybeFail();
    return {
      running: this.running,
      cron: this.cron,
      timeZone: this.timeZone,
      cronText: this.cron === '* * * * *' ? 'Every minute' : `At "${this.cron}"`,
      nextRunAt: this.running ? '2026-11-27T07:01:00.000Z' : null,
      lastRunAt: NOW,
      accounts: this.owner.accounts.map((a, i) => ({
        accountId: a.id,
        accountName: a.name,
        pos: a.pos,
        lastRun: i === 0
          ? { id: 7, trigger: 'schedule', status: 'ok', startedAt: NOW, finishedAt: NOW, itemsRead: 3, itemsChanged: 1, apiCalls: 2, error: null }
          : null,
        freshness: i === 0
          ? { accountId: a.id, maxItemAgeSeconds: 120, maxAgeSource: 'schedule', items: 2, staleItems: 1, neverConfirmed: 0, oldestConfirmedAt: NOW }
          : null,
        quota: a.pos === 'hiboutik' ? { state: 'refused', used: 10_000, limit: 10_000, resumesAt: '2026-12-01T00:00:00.000Z' } : null,
      })),
    };
  }

  async start(change?: { cron?: string; timeZone?: string }): Promise<SynchronizerStatus> {
    this.owner.maybeFail();
    if (change?.cron !== undefined && change.cron.trim().split(/\s+/).length !== 5) {
      throw new EngineInputError('cron', `"${change.cron}" is not a 5-field cron (minute hour day month weekday)`);
    }
    if (change?.timeZone !== undefined && !Intl.supportedValuesOf('timeZone').includes(change.timeZone)) {
      throw new EngineInputError('time_zone', `"${change.timeZone}" is not an IANA time zone`);
    }
    if (change?.cron) this.cron = change.cron;
    if (change?.timeZone) this.timeZone = change.timeZone;
    this.running = true;
    return this.status();
  }

  async stop(): Promise<SynchronizerStatus> {
    this.owner.maybeFail();
    this.running = false;
    return this.status();
  }

  async forceUpdate(accountId?: string) {
    this.owner.maybeFail();
    const ids = accountId ? [accountId] : this.owner.accountIds();
    return ids.map((id) => {
      // A poll already queued is joined: its id is returned again.
      const waiting = this.queued.get(id);
      if (waiting) return { accountId: id, jobId: waiting };
      const jobId = `poll-${this.nextJob++}`;
      this.queued.set(id, jobId);
      return { accountId: id, jobId };
    });
  }
}

class FakeItems implements ItemRegistry {
  readonly mappings = new Map<string, ItemView>();
  readonly tasks = new Map<string, RegisterTaskView>();
  private nextTask = 1;

  // Bulk mapping and item management are tested against the real service (test/integration/onboarding*).
  bulk(): never {
    throw new Error('FakeItems.bulk is not faked');
  }
  autoMatch(): never {
    throw new Error('FakeItems.autoMatch is not faked');
  }
  listPage(): never {
    throw new Error('FakeItems.listPage is not faked');
  }
  update(): never {
    throw new Error('FakeItems.update is not faked');
  }
  unmap(): never {
    throw new Error('FakeItems.unmap is not faked');
  }
  get(): never {
    throw new Error('FakeItems.get is not faked');
  }
  addSource(): never {
    throw new Error('FakeItems.addSource is not faked');
  }
  removeSource(): never {
    throw new Error('FakeItems.removeSource is not faked');
  }

  constructor(private readonly owner: FakeService) {}

  private lookup(request: RegisterItemRequest): ItemView {
    const account = this.owner.accounts.find((a) => a.id === request.accountId);
    if (!account) throw new EngineInputError('account_id', `Unknown account ${request.accountId}`, 404);
    const entries = [...account.catalogue.entries()];
    const found = request.itemPosId !== undefined
      ? entries.find(([id]) => id === request.itemPosId)
      : entries.find(([, v]) => v.name === request.itemName);
    if (!found) {
      const wanted = (request.itemName ?? request.itemPosId ?? '').toLowerCase();
      const closeMatches = entries
        .filter(([id, v]) => v.name.toLowerCase().includes(wanted.slice(0, 4)) || id.startsWith(wanted.slice(0, 2)))
        .map(([posItemId, v]) => ({ posItemId, name: v.name }));
      const field = request.itemPosId !== undefined ? 'item_pos_id' : 'item_name';
      throw new EngineInputError(field, `The POS has no item ${JSON.stringify(request.itemName ?? request.itemPosId)}`, 422, { closeMatches });
    }
    const [posItemId, { name, onHand }] = found;
    return {
      ecommerceId: request.ecommerceId,
      accountId: account.id,
      posItemId,
      description: name,
      limitQuantity: request.limitQuantity ?? 0,
      onHand,
      available: onHand,
      lastConfirmedAt: NOW,
      missingOnPos: false,
      orphaned: false,
    };
  }

  async register(request: RegisterItemRequest): Promise<RegisterTaskView> {
    this.owner.maybeFail();
    const task: RegisterTaskView = {
      id: `task-${this.nextTask++}`,
      kind: 'register-item',
      state: 'queued',
      createdAt: NOW,
      finishedAt: null,
      request,
      result: null,
      error: null,
    };
    this.tasks.set(task.id, task);
    return task;
  }

  /** Runs every queued task, as the job worker would. */
  runQueued(): void {
    for (const task of this.tasks.values()) {
      if (task.state !== 'queued') continue;
      task.finishedAt = NOW;
      try {
        task.result = this.store(this.lookup(task.request));
        task.state = 'done';
      } catch (err) {
        task.state = 'failed';
        const e = err as EngineInputError;
        const closeMatches = e.details?.['closeMatches'] as Array<{ posItemId: string; name: string }> | undefined;
        task.error = closeMatches ? { message: e.message, closeMatches } : { message: e.message };
      }
    }
  }

  private store(item: ItemView): ItemView {
    const key = `${item.accountId}/${item.ecommerceId}`;
    if (this.mappings.has(key)) throw new EngineInputError('item_ecommerce_id', `Item ${item.ecommerceId} is already mapped`, 409);
    this.mappings.set(key, item);
    return item;
  }

  async registerNow(request: RegisterItemRequest): Promise<ItemView> {
    this.owner.maybeFail();
    return this.store(this.lookup(request));
  }

  async task(id: string): Promise<TaskView | null> {
    this.owner.maybeFail();
    return this.tasks.get(id) ?? null;
  }

  async list(accountId: string): Promise<ItemView[]> {
    this.owner.maybeFail();
    return [...this.mappings.values()].filter((m) => m.accountId === accountId);
  }
}

/** Records deliveries as the routes hand them over; the real intake is tested end to end. */
export class FakeWebhooks implements WebhookControl {
  readonly deliveries: Array<{ pos: string; accountId: string; token: string | null; delivery: WebhookDelivery }> = [];

  constructor(private readonly owner: FakeService) {}

  async receive(pos: string, accountId: string, token: string | null, delivery: WebhookDelivery): Promise<WebhookAnswer> {
    this.owner.maybeFail();
    if (!this.owner.accounts.some((a) => a.id === accountId)) return { status: 404, body: { error: 'not_found', message: `no ${pos} account "${accountId}"` } };
    this.deliveries.push({ pos, accountId, token, delivery });
    return { status: 200, body: { received: true, outcome: 'queued' } };
  }

  async setup(accountId: string): Promise<WebhookSetupResult> {
    this.owner.maybeFail();
    const account = this.owner.accounts.find((a) => a.id === accountId);
    if (!account) throw new EngineInputError('account_id', `no configured account has the id "${accountId}"`, 404);
    return { accountId, pos: account.pos, mode: 'manual', notificationUrl: `http://127.0.0.1:5000/webhooks/${account.pos}/${accountId}`, lines: ['paste it'] };
  }
}

export class FakeService implements Service {
  readonly synchronizer = new FakeSynchronizer(this);
  readonly webhooks = new FakeWebhooks(this);
  readonly items = new FakeItems(this);
  /** Runs are tested against the real engine (test/integration/held-runs.test.ts); here every id is unknown. */
  readonly runs: RunControl = noRuns;
  readonly sales: SaleLedger;
  /** When set, every call throws it (for 5xx tests). */
  failWith: unknown = null;
  healthView: HealthReport = {
    status: 'ok',
    checkedAt: NOW,
    core: { status: 'ok', kind: 'pglite' },
    jobs: { status: 'ok' },
    sink: { status: 'ok', target: 'embedded', lastWrite: null },
    accounts: [],
    sales: { status: 'ok', oldestPendingAt: null, oldestPendingAgeSeconds: null, failed: 0, incomplete: 0 },
  };
  workersRunning = true;
  metricsText = '# HELP possync_test a test metric\n# TYPE possync_test counter\npossync_test 1\n';

  constructor(
    readonly accounts: FakeAccount[] = defaultAccounts(),
    sales: SaleLedger = noSales,
  ) {
    this.sales = sales;
  }

  maybeFail(): void {
    if (this.failWith !== null) throw this.failWith;
  }

  async health(): Promise<HealthReport> {
    this.maybeFail();
    return this.healthView;
  }

  async readiness(): Promise<Readiness> {
    this.maybeFail();
    const ready = this.healthView.status !== 'down' && this.workersRunning;
    return { ready, migrations: { status: 'ok', version: 4, expected: 4 }, workers: { status: this.workersRunning ? 'ok' : 'down' }, health: this.healthView };
  }

  async freshness(): Promise<AccountFreshness[]> {
    this.maybeFail();
    return [];
  }

  accountIds(): string[] {
    return this.accounts.map((a) => a.id);
  }
}

/**
 * For tests that never write a sale: an empty ledger (no sale to read or list); anything else is
 * a 500, so a test relying on sales fails.
 */
const noSales: SaleLedger = {
  list: async () => [],
  get: async () => null,
  accept: () => Promise.reject(new Error('this test has no sale ledger')),
  retry: () => Promise.reject(new Error('this test has no sale ledger')),
  cancel: () => Promise.reject(new Error('this test has no sale ledger')),
};

/** Includes the original README's placeholder texts as real ids, so its curl bodies run verbatim. */
export const README_ACCOUNT = 'The account ID of the POS that holds the item';
export const README_ITEM_NAME = 'The name of the item you want to keep synchronized';
export const README_ITEM_POS_ID = 'The ID (on the POS) of the item you want to keep synchronized';

export function defaultAccounts(): FakeAccount[] {
  return [
    {
      id: 'sq-main',
      name: 'Square shop',
      pos: 'square',
      catalogue: new Map([
        ['VAR-1', { name: 'Blue mug', onHand: 12 }],
        ['VAR-2', { name: 'Blue mug large', onHand: 3 }],
        ['VAR-3', { name: 'Red scarf', onHand: 0 }],
      ]),
    },
    {
      id: README_ACCOUNT,
      name: 'README account',
      pos: 'hiboutik',
      catalogue: new Map([
        ['42', { name: README_ITEM_NAME, onHand: 5 }],
        [README_ITEM_POS_ID, { name: 'Item by POS id', onHand: 8 }],
      ]),
    },
  ];
}

/** Maps an item directly (as a finished registration would), for tests that start from stock. */
export function mapItem(service: FakeService, item: Partial<ItemView> & { ecommerceId: string }): ItemView {
  const mapped: ItemView = {
    accountId: 'sq-main',
    posItemId: 'VAR-1',
    description: 'Blue mug',
    limitQuantity: 0,
    onHand: 12,
    available: 12,
    lastConfirmedAt: NOW,
    missingOnPos: false,
    orphaned: false,
    ...item,
  };
  service.items.mappings.set(`${mapped.accountId}/${mapped.ecommerceId}`, mapped);
  return mapped;
}

/** The API over a fresh fake, with strict response checking on (schema drift → 500). */
export async function makeApi(options: { apiKeys?: string[]; service?: FakeService; logger?: Logger } = {}) {
  const service = options.service ?? new FakeService();
  const app = await buildApi(service, {
    apiKeys: options.apiKeys ?? [],
    version: '0.1.0-test',
    strictResponses: true,
    metrics: { contentType: () => 'text/plain; version=0.0.4; charset=utf-8', text: async () => service.metricsText },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await app.ready();
  return { app, service };
}

const unknownRun = async (): Promise<never> => {
  throw new EngineInputError('id', 'no sync run has this id', 404);
};

const noRuns: RunControl = {
  get: unknownRun,
  held: async () => [],
  apply: unknownRun,
  discard: unknownRun,
  revert: unknownRun,
  resume: async (accountId) => {
    throw new EngineInputError('id', `account "${accountId}" is not paused`, 409);
  },
};
