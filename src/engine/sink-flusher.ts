import { flushSink, type SyncContext } from './sync.ts';

/**
 * Brings the shop's table up to date soon after a sale or a cancel, without holding up the answer.
 * Requests are gathered for up to `delayMs` and served by one flush, so a burst of sales costs a
 * few sink writes rather than one per commit (they share the embedded database with intake).
 * A failed flush leaves the rows pending; the next request or poll writes them.
 */
export class SinkFlusher {
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly context: Pick<SyncContext, 'core' | 'sink'>,
    private readonly onError: (error: Error) => void,
    private readonly delayMs = 50,
    /** After a failed flush, try again this much later (0 = wait for the next request or poll). */
    private readonly retryMs = 0,
  ) {}

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // One flush at a time; one that starts later sees everything committed before it.
      const previous = this.running ?? Promise.resolve();
      const current: Promise<void> = previous.then(() => this.run()).finally(() => {
        if (this.running === current) this.running = null;
      });
      this.running = current;
    }, this.delayMs);
  }

  /** Runs any flush that is waiting, and resolves when none is running (tests, shutdown). */
  async idle(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      const previous = this.running ?? Promise.resolve();
      this.running = previous.then(() => this.run());
    }
    while (this.running) {
      const current = this.running;
      await current;
      if (this.running === current) this.running = null;
    }
  }

  private async run(): Promise<void> {
    try {
      await flushSink(this.context, null);
    } catch (error) {
      this.onError(error as Error);
      // A shop table that is back gets its pending rows without waiting for the next poll.
      if (this.retryMs > 0 && !this.closed && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.request();
        }, this.retryMs);
        this.retryTimer.unref();
      }
    }
  }
}
