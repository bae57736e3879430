/**
 * Webhook delivery with retries on non-2xx (or no answer), keeping one event id across attempts,
 * as Square does. The schedule is compressed for tests; each attempt is logged for /__sim/webhooks.
 */
export interface WebhookMessage {
  url: string;
  eventId: string;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export interface DeliveryAttempt {
  eventId: string;
  url: string;
  attempt: number;
  at: string;
  status: number | null;
  error?: string;
}

export interface WebhookSenderOptions {
  /** Delay before each retry, in ms; its length is the number of retries. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
  now: () => number;
}

export class WebhookSender {
  private attempts: DeliveryAttempt[] = [];
  private pending = new Set<Promise<void>>();
  private timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookSenderOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? [100, 200, 400, 800, 1600, 3200];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  send(message: WebhookMessage): void {
    this.track(this.attempt(message, 1));
  }

  log(): DeliveryAttempt[] {
    return [...this.attempts];
  }

  clearLog(): void {
    this.attempts = [];
  }

  /** Resolves once nothing is in flight or scheduled (tests wait on this, never on a sleep). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private async attempt(message: WebhookMessage, attempt: number): Promise<void> {
    if (this.closed) return;
    const record: DeliveryAttempt = {
      eventId: message.eventId,
      url: message.url,
      attempt,
      at: new Date(this.options.now()).toISOString(),
      status: null,
    };
    try {
      const response = await fetch(message.url, {
        method: 'POST',
        headers: { 'content-type': message.contentType, ...message.headers },
        body: message.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      record.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.attempts.push(record);
    const delivered = record.status !== null && record.status >= 200 && record.status < 300;
    const delay = this.retryDelaysMs[attempt - 1];
    if (delivered || delay === undefined || this.closed) return;
    // The retry is tracked from now on, so idle() keeps waiting through the back-off.
    this.track(
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.attempt(message, attempt + 1).then(resolve, resolve);
        }, delay);
        this.timers.set(timer, resolve);
      }),
    );
  }
}
