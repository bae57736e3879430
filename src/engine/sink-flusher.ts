import { flushSink, type SyncContext } from './sync.ts';

/**
 * Brings the shop's table up to date soon after a sale or a cancel, without holding up the answer:
 * requests made while a flush runs are served by one more flush right after it. A failed flush
 * leaves the rows pending; the next request or poll writes them.
 */
export class SinkFlusher {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly context: Pick<SyncContext, 'core' | 'sink'>,
    private readonly onError: (error: Error) => void,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.request();
      }
    });
  }

  /** Resolves when no flush is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      await flushSink(this.context, null);
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
