/**
 * Which of a poll's mapped POS ids its read returned, to find the ones it did not (flagged
 * missing). A Set of every id read kept a copy of up to 60,000 ids, taken from the POS's
 * answers, for the whole read; this keeps a sorted list of the ids the poll already holds and
 * one byte per id.
 */
export class ReadMarks {
  private readonly sorted: string[];
  private readonly marks: Uint8Array;

  constructor(private readonly ids: readonly string[]) {
    // Plain code-unit order (not the database's collation), the order `find` compares in.
    this.sorted = [...ids].sort();
    this.marks = new Uint8Array(this.sorted.length);
  }

  /** Marks an id as read; an id outside the list is ignored. */
  mark(id: string): void {
    const at = this.find(id);
    if (at >= 0) this.marks[at] = 1;
  }

  /** The ids never marked, in the order they were given. */
  unmarked(): string[] {
    return this.ids.filter((id) => this.marks[this.find(id)] !== 1);
  }

  private find(id: string): number {
    let low = 0;
    let high = this.sorted.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const here = this.sorted[mid]!;
      if (here === id) return mid;
      if (here < id) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }
}
