/** Time source for simulators: tests move it forward to expire tokens, drain buckets or end a month. */
export interface Clock {
  now(): number;
  advance(ms: number): void;
}

/** Real time plus an offset that `advance` grows; the default for running simulators. */
export function createOffsetClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** Frozen time that only `advance` moves; for deterministic in-process tests. */
export function createManualClock(start = Date.parse('2026-11-02T09:00:00Z')): Clock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}
