import type { Random } from './random.ts';

/**
 * Fault injection per endpoint. "Before" faults answer instead of the handler (nothing is written);
 * "after" faults let the handler commit its write and then spoil the answer, which is how a client
 * meets an ambiguous failure.
 */
export const FAULT_KINDS = ['latency', 'hang', 'error', 'rate_limit', 'reset', 'timeout_after_commit', 'malformed', 'drop_items'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** "POST /v2/inventory/changes/batch-create", "GET *", or "*". A trailing "*" matches a prefix. */
  endpoint?: string;
  kind: FaultKind;
  /** Chance that a matching request gets the fault (default 1). */
  probability?: number;
  /** Apply to this many matching requests, then retire the rule (default: no limit). */
  count?: number;
  /** latency: added delay. */
  latencyMs?: number;
  /** error: the status to answer (default 500). */
  status?: number;
  /** rate_limit: Retry-After in seconds (omitted when not set). */
  retryAfterSeconds?: number;
  /** timeout_after_commit: how long to hold the committed answer before dropping the connection. */
  holdMs?: number;
  /**
   * drop_items: the share (0 to 1, default 0) of the answer's list kept, the first ones; the rest
   * are left out of an otherwise valid answer: a POS's empty or partial answer.
   */
  keepShare?: number;
}

export interface FaultRule extends Required<Pick<FaultSpec, 'endpoint' | 'kind' | 'probability'>> {
  id: number;
  remaining: number | null;
  latencyMs: number;
  status: number;
  retryAfterSeconds: number | null;
  holdMs: number;
  keepShare: number;
}

const AFTER_KINDS: ReadonlySet<FaultKind> = new Set(['timeout_after_commit', 'malformed', 'drop_items']);

export class FaultSpecError extends Error {}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private readonly held = new Set<() => void>();

  constructor(private readonly random: Random) {}

  add(spec: FaultSpec): FaultRule {
    if (!FAULT_KINDS.includes(spec.kind)) {
      throw new FaultSpecError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    const probability = spec.probability ?? 1;
    if (!(probability >= 0 && probability <= 1)) throw new FaultSpecError('probability must be between 0 and 1');
    if (spec.keepShare !== undefined && !(spec.keepShare >= 0 && spec.keepShare <= 1)) throw new FaultSpecError('keepShare must be between 0 and 1');
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) {
      throw new FaultSpecError('count must be a positive integer');
    }
    const rule: FaultRule = {
      id: this.nextId++,
      endpoint: spec.endpoint ?? '*',
      kind: spec.kind,
      probability,
      remaining: spec.count ?? null,
      latencyMs: spec.latencyMs ?? 0,
      status: spec.status ?? 500,
      retryAfterSeconds: spec.retryAfterSeconds ?? null,
      holdMs: spec.holdMs ?? 1000,
      keepShare: spec.keepShare ?? 0,
    };
    this.rules.push(rule);
    return rule;
  }

  /**
   * How a `hang` fault holds a request: true once `release()` lets it go on, false when `gone`
   * (its client hung up) comes first.
   */
  hold(gone: Promise<void>): Promise<boolean> {
    return new Promise((resolve) => {
      const go = () => {
        this.held.delete(go);
        resolve(true);
      };
      this.held.add(go);
      void gone.then(() => {
        if (this.held.delete(go)) resolve(false);
      });
    });
  }

  /** Lets every held request go on to its handler; returns how many there were. */
  release(): number {
    const waiting = [...this.held];
    for (const go of waiting) go();
    return waiting.length;
  }

  /** Requests a `hang` fault holds right now. */
  holding(): number {
    return this.held.size;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** Faults that fire for this request in one phase; consumes `count` budgets. */
  draw(endpoint: string, phase: 'before' | 'after'): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (AFTER_KINDS.has(rule.kind) !== (phase === 'after')) continue;
      if (!matches(rule.endpoint, endpoint)) continue;
      if (rule.remaining === 0) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.remaining !== null) rule.remaining -= 1;
      fired.push({ ...rule });
    }
    this.rules = this.rules.filter((r) => r.remaining !== 0);
    return fired;
  }
}

function matches(pattern: string, endpoint: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return endpoint.startsWith(pattern.slice(0, -1));
  return pattern === endpoint;
}
