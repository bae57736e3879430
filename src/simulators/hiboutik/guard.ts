import type { Server, IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../kit/clock.ts';
import { errorBody } from './errors.ts';
import type { HiboutikSwitches } from './types.ts';

/** A type alias (not an interface) so it fits the kit's Record<string, unknown>. */
export type HiboutikCredentials = {
  account: string;
  email: string;
  apiKey: string;
  bearerToken: string;
  storeIds: string[];
  warehouseIds: string[];
  webhookSecret: string;
};

export interface QuotaSnapshot {
  /** The UTC month being counted, "YYYY-MM". */
  month: string;
  used: number;
  limit: number;
  remaining: number;
  /** Calls refused with 429 because the month's quota was spent (they do not count as used). */
  refused: number;
  resetsAt: string;
  maxConcurrent: number;
  inFlight: number;
  refusedConcurrent: number;
}

const isApiPath = (url: string | undefined) => url !== undefined && /^\/(api|apirest)(\/|$|\?)/.test(url);
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

function nextMonthStart(ms: number): string {
  const date = new Date(ms);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)).toISOString();
}

/**
 * Access control in front of every API route: the concurrency cap, credentials and rights, then
 * the monthly quota. A call counts against the quota once it is admitted (authenticated, allowed,
 * under both caps), whatever the handler answers; refused calls (401, 403, 429) never count.
 */
export class Guard {
  private used = 0;
  private refused = 0;
  private refusedConcurrent = 0;
  private month: string;
  private inFlightNow = 0;
  private readonly overCap = new WeakSet<IncomingMessage>();

  constructor(
    private readonly clock: Clock,
    private readonly switches: HiboutikSwitches,
    private readonly credentials: () => HiboutikCredentials,
  ) {
    this.month = monthOf(clock.now());
  }

  /**
   * Counts in-flight calls at the socket level, before any Fastify hook (including the kit's
   * latency faults), so "30 calls in flight" means the same thing however slow the handlers are.
   */
  attach(server: Server): void {
    server.prependListener('request', (req: IncomingMessage, res) => {
      if (!isApiPath(req.url)) return;
      if (this.inFlightNow >= this.switches.maxConcurrent) {
        this.overCap.add(req);
        return;
      }
      this.inFlightNow += 1;
      res.once('close', () => {
        this.inFlightNow -= 1;
      });
    });
  }

  inFlight(): number {
    return this.inFlightNow;
  }

  snapshot(): QuotaSnapshot {
    this.rollMonth();
    return {
      month: this.month,
      used: this.used,
      limit: this.switches.monthlyQuota,
      remaining: Math.max(0, this.switches.monthlyQuota - this.used),
      refused: this.refused,
      resetsAt: nextMonthStart(this.clock.now()),
      maxConcurrent: this.switches.maxConcurrent,
      inFlight: this.inFlightNow,
      refusedConcurrent: this.refusedConcurrent,
    };
  }

  reset(): void {
    this.used = 0;
    this.refused = 0;
    this.refusedConcurrent = 0;
    this.month = monthOf(this.clock.now());
  }

  /** The onRequest hook for the API scope (runs after the kit's stats and fault hook). */
  readonly hook = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (this.overCap.has(request.raw)) {
      this.refusedConcurrent += 1;
      return refuse(reply, 429, `Too many concurrent calls: at most ${this.switches.maxConcurrent} calls may be in flight for this shop`, { limit: this.switches.maxConcurrent });
    }
    if (!this.authenticated(request.headers.authorization)) {
      return refuse(reply, 401, 'Authentication failed: send HTTP Basic (user e-mail, API key) or a Bearer token', {});
    }
    const { rights } = this.switches;
    if (rights === 'none' || (rights === 'read' && request.method !== 'GET' && request.method !== 'HEAD')) {
      return refuse(reply, 403, 'This user does not have the rights needed for this call', { rights });
    }
    this.rollMonth();
    if (this.used >= this.switches.monthlyQuota) {
      this.refused += 1;
      const resetsAt = nextMonthStart(this.clock.now());
      return refuse(reply, 429, `Monthly API quota of ${this.switches.monthlyQuota} calls reached; calls are accepted again from ${resetsAt}`, {
        limit: this.switches.monthlyQuota,
        used: this.used,
        resets_at: resetsAt,
      });
    }
    this.used += 1;
    return undefined;
  };

  private rollMonth(): void {
    const month = monthOf(this.clock.now());
    if (month !== this.month) {
      this.month = month;
      this.used = 0;
      this.refused = 0;
    }
  }

  private authenticated(header: string | undefined): boolean {
    if (!header) return false;
    const credentials = this.credentials();
    const [scheme, value = ''] = header.trim().split(/\s+/, 2) as [string, string?];
    if (scheme.toLowerCase() === 'bearer') return value === credentials.bearerToken;
    if (scheme.toLowerCase() !== 'basic') return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Hiboutik logins are e-mail addresses: compare them case-insensitively, the key exactly.
    return decoded.slice(0, colon).toLowerCase() === credentials.email.toLowerCase() && decoded.slice(colon + 1) === credentials.apiKey;
  }
}

function refuse(reply: FastifyReply, status: number, description: string, details: Record<string, unknown>): FastifyReply {
  return reply.code(status).send(errorBody(status, description, details));
}
