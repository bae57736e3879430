/** What the dashboard's pages are given: the running service, read access to the core, and the few actions it may take. */
import type { FastifyRequest } from 'fastify';
import type { Service } from '../engine/ports.ts';
import type { SqlQueryable } from '../core/sql.ts';
import type { Sink } from '../sink/sink.ts';
import type { RateLimitModel } from '../pos/contract.ts';
import type { JobActions } from './job-actions.ts';
import type { PageContext } from './layout.ts';

export interface DashboardAccount {
  id: string;
  name: string;
  pos: string;
  rateLimit: RateLimitModel;
  /** Where the account's OAuth token is stored, when it has one (pos_tokens.account_id). */
  tokenKey?: string;
}

export interface DashboardDeps {
  /** The same service the API calls (synchronizer, sales): actions go through it. */
  service: Service;
  /** possync's core database, read directly by the query modules (pg-boss's tables included). */
  sql: SqlQueryable;
  /** The shop's table, read to show what it holds now. */
  sink: Pick<Sink, 'readQuantities' | 'describe'>;
  jobs: JobActions;
  accounts: DashboardAccount[];
  /** pg-boss queue names: the poll queue (Recurring) and every queue possync uses (Jobs). */
  queues: { poll: string; all: string[] };
}

export interface DashboardOptions extends DashboardDeps {
  apiKeys: string[];
  readOnly: boolean;
}

export interface DashboardEnv {
  deps: DashboardDeps;
  readOnly: boolean;
  /** The page context of a request (mount point, viewer, read-only, notice). */
  ctx(request: FastifyRequest): PageContext;
  /** Journals an action with the reason "from the dashboard" and the viewer. */
  journal(request: FastifyRequest, action: string, target: string, detail?: string): Promise<void>;
  /** Where to send the browser after an action: `path` with a notice code. */
  done(path: string, notice: string): string;
}
