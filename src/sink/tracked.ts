import type { Sink } from './sink.ts';
import { SinkError } from './common.ts';

/**
 * The shop table with its last write's outcome remembered, so health reports what writes do
 * rather than whether a `select 1` answers. Only a driver code is kept from a failure: texts
 * may carry a host or a user, and health must stay free of them.
 */
export interface SinkWriteOutcome {
  ok: boolean;
  at: Date;
  /** Driver error code of a failure (ER_NO_SUCH_TABLE, 42P01, ECONNREFUSED…), when there was one. */
  code: string | null;
}

export interface TrackedSink extends Sink {
  lastWrite(): SinkWriteOutcome | null;
  /** Reads one row id from the table: fails when the table or the database is gone. */
  probe(): Promise<{ ok: true } | { ok: false; code: string | null }>;
}

export function trackSink(sink: Sink, onWrite: (outcome: SinkWriteOutcome, rows: number) => void = () => {}): TrackedSink {
  let last: SinkWriteOutcome | null = null;
  const record = (ok: boolean, error: unknown, rows: number) => {
    last = { ok, at: new Date(), code: ok ? null : codeOf(error) };
    onWrite(last, rows);
  };
  return {
    async writeQuantities(rows) {
      try {
        const result = await sink.writeQuantities(rows);
        record(true, null, rows.length);
        return result;
      } catch (error) {
        record(false, error, rows.length);
        throw error;
      }
    },
    async upsertItem(row) {
      try {
        await sink.upsertItem(row);
        record(true, null, 1);
      } catch (error) {
        record(false, error, 1);
        throw error;
      }
    },
    // Passed through when the dialect has it: without it bulk mapping falls back to a row per statement.
    ...(sink.upsertItems
      ? {
          upsertItems: async (rows: Parameters<NonNullable<typeof sink.upsertItems>>[0]) => {
            try {
              await sink.upsertItems!(rows);
              record(true, null, rows.length);
            } catch (error) {
              record(false, error, rows.length);
              throw error;
            }
          },
        }
      : {}),
    readQuantities: (ids) => sink.readQuantities(ids),
    readKeys: (by) => sink.readKeys(by),
    describe: () => sink.describe(),
    close: () => sink.close(),
    lastWrite: () => last,
    async probe() {
      try {
        // '0' is a valid id for text and numeric id columns alike, so the table is really read.
        await sink.readQuantities(['0']);
        return { ok: true };
      } catch (error) {
        return { ok: false, code: codeOf(error) };
      }
    },
  };
}

function codeOf(error: unknown): string | null {
  if (error instanceof SinkError && error.code) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : null;
}
