import type { SqlQueryable } from '../core/sql.ts';
import type { RegisterItemRequest } from './ports.ts';

/**
 * What the engine asks of the job queue, and all it knows of it: `jobs/` implements this on
 * pg-boss, and the engine imports nothing from `jobs/`.
 */
/** `manual`: forced through the API (older queued jobs may still say `forced`). */
export type PollTrigger = 'cron' | 'forced' | 'manual' | 'boot';

/** A registration job as the engine reads it back (state and output of the queued request). */
export interface RegistrationJob {
  id: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  request: RegisterItemRequest;
  output: unknown;
  createdAt: Date;
  completedAt: Date | null;
}

export interface PollJob {
  id: string;
  state: RegistrationJob['state'];
  accountId: string;
  trigger: PollTrigger;
  output: unknown;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface JobsPort {
  /**
   * Queues a drain of the account's pending sales (at most one waiting per account). Given `tx`,
   * the job commits or rolls back with that transaction; given `afterSeconds`, it starts later.
   */
  queueDispatch(accountId: string, tx?: SqlQueryable, afterSeconds?: number): Promise<void>;
  /** Queues the application of an account's pending webhook events (joins the job already waiting). */
  queueWebhook(accountId: string): Promise<void>;
  /** Queues a manual poll, or joins the one already waiting for the account (`joined`). */
  queuePoll(accountId: string): Promise<{ id: string; joined: boolean }>;
  /** A poll job as the queue kept it, for its task view. */
  pollJob(jobId: string): Promise<PollJob | null>;
  /** Throws when the queue cannot be reached (health). */
  check(): Promise<void>;
  /** Queues an item registration; its id reads back through `registration`. */
  queueRegister(request: RegisterItemRequest): Promise<string>;
  registration(jobId: string): Promise<RegistrationJob | null>;
  /** Queues a stored bulk import (its rows and report live in the core, by import id). */
  queueBulkImport(importId: string): Promise<string>;
  /** One stored poll schedule per account; accounts not named lose theirs. */
  schedulePolls(accountIds: readonly string[], cron: string, timeZone: string): Promise<void>;
  unschedulePolls(): Promise<void>;
}
