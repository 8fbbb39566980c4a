/**
 * A binary min-heap of timers ordered by due time, then by start order (so
 * timers due at the same millisecond run in the order they were started, as
 * in libuv). Each entry knows its slot, so removal is O(log n).
 * @module
 */

/** What the heap needs from an entry. */
export interface HeapEntry {
  /** Loop time (ms) at which the entry is due. */
  due: number;
  /** Monotonic start sequence; breaks ties between equal due times. */
  sequence: number;
  /** Current slot in the heap, or -1 when not in it. */
  heapIndex: number;
}

/** Min-heap of {@link HeapEntry}. */
export class TimerHeap<T extends HeapEntry> {
  readonly #items: T[] = [];

  /** Number of entries. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest entry without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Inserts `entry`. */
  push(entry: T): void {
    entry.heapIndex = this.#items.length;
    this.#items.push(entry);
    this.#up(entry.heapIndex);
  }

  /** Removes and returns the earliest entry. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top) this.remove(top);
    return top;
  }

  /** Removes `entry` if present. */
  remove(entry: T): void {
    const i = entry.heapIndex;
    if (i < 0 || this.#items[i] !== entry) return;
    const last = this.#items.pop()!;
    entry.heapIndex = -1;
    if (last === entry) return;
    this.#items[i] = last;
    last.heapIndex = i;
    this.#down(i);
    this.#up(last.heapIndex);
  }

  #less(a: T, b: T): boolean {
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i]!;
    const b = this.#items[j]!;
    this.#items[i] = b;
    this.#items[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i]!, this.#items[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(this.#items[l]!, this.#items[m]!)) m = l;
      if (r < n && this.#less(this.#items[r]!, this.#items[m]!)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
