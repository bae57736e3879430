import type { PgBoss } from 'pg-boss';
import type { Core } from '../core/open.ts';
import { listMappings } from '../core/mappings.ts';
import { REGISTER_QUEUE } from '../jobs/queues.ts';
import type { RegisterJobOutput } from '../jobs/workers.ts';
import type { AccountSet } from './accounts.ts';
import { checkRequest, registerItem, toItemView } from './register.ts';
import type { SyncContext } from './sync.ts';
import { EngineInputError, type ItemRegistry, type ItemView, type RegisterItemRequest, type RegisterTaskView, type TaskView } from './ports.ts';
import { pollTask } from './poll-task.ts';

/** Item registration as jobs (202 + task) or in-line (?wait=true), and the item listing. */
export class Items implements ItemRegistry {
  constructor(
    private readonly context: SyncContext & { core: Core },
    private readonly boss: PgBoss,
    private readonly accounts: AccountSet,
  ) {}

  async register(request: RegisterItemRequest): Promise<RegisterTaskView> {
    checkRequest(this.accounts, request);
    const id = await this.boss.send(REGISTER_QUEUE, { ...request });
    if (!id) throw new Error('the job queue refused the registration');
    return (await this.registerTask(id))!;
  }

  registerNow(request: RegisterItemRequest): Promise<ItemView> {
    return registerItem(this.context, this.accounts, request);
  }

  /** Any job id the API handed out: a registration's or a poll's. */
  async task(id: string): Promise<TaskView | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.registerTask(id)) ?? (await pollTask(this.context.core.sql, this.boss, id));
  }

  private async registerTask(id: string): Promise<RegisterTaskView | null> {
    const job = await this.boss.getJobById<RegisterItemRequest>(REGISTER_QUEUE, id);
    if (!job) return null;
    const output = job.output as RegisterJobOutput | { message?: string } | undefined | null;
    const base = {
      id: job.id,
      kind: 'register-item' as const,
      createdAt: new Date(job.createdOn).toISOString(),
      finishedAt: job.completedOn ? new Date(job.completedOn).toISOString() : null,
      request: job.data,
    };
    if (job.state === 'completed' && output && 'ok' in output) {
      return output.ok
        ? { ...base, state: 'done', result: output.item, error: null }
        : { ...base, state: 'failed', result: null, error: { message: output.error.message, closeMatches: closeMatches(output.error.details) } };
    }
    if (job.state === 'failed' || job.state === 'cancelled') {
      const message = output && 'message' in output && typeof output.message === 'string' ? output.message : `registration ${job.state}`;
      return { ...base, state: 'failed', result: null, error: { message } };
    }
    return { ...base, state: job.state === 'active' ? 'running' : 'queued', result: null, error: null };
  }

  async list(accountId: string): Promise<ItemView[]> {
    if (!this.accounts.get(accountId)) {
      throw new EngineInputError('accountID', `no configured account has the id "${accountId}"`, 404, { known_account_ids: this.accounts.ids() });
    }
    return (await listMappings(this.context.core.sql, accountId)).map(toItemView);
  }
}

function closeMatches(details: Record<string, unknown> | undefined): Array<{ posItemId: string; name: string }> | undefined {
  const list = details?.close_matches;
  if (!Array.isArray(list)) return undefined;
  return list.map((m: { pos_item_id: string; name: string }) => ({ posItemId: m.pos_item_id, name: m.name }));
}
