/** Due times in a binary min-heap: the next one is found in O(1), added and removed in O(log n). */
export class TimerQueue<T> {
  private readonly heap: Array<{ at: number; value: T }> = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, value: T): void {
    const heap = this.heap;
    heap.push({ at, value });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as { at: number }).at <= at) break;
      [heap[i], heap[parent]] = [
        heap[parent] as { at: number; value: T },
        heap[i] as { at: number; value: T },
      ];
      i = parent;
    }
  }

  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes and returns every entry due at or before `now`, earliest first. */
  popDue(now: number): T[] {
    const due: T[] = [];
    while (this.heap.length > 0 && (this.heap[0] as { at: number }).at <= now) due.push(this.pop() as T);
    return due;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && (heap[l] as { at: number }).at < (heap[smallest] as { at: number }).at)
          smallest = l;
        if (r < heap.length && (heap[r] as { at: number }).at < (heap[smallest] as { at: number }).at)
          smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [
          heap[smallest] as { at: number; value: T },
          heap[i] as { at: number; value: T },
        ];
        i = smallest;
      }
    }
    return top.value;
  }
}

/** setTimeout cannot wait longer than this; longer waits re-arm. */
export const maxTimeoutMs = 2_147_483_647;
