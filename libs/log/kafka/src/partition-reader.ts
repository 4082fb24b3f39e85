import type { LogRecord, ReadOptions, Stream } from '@durable/log';

/** Records buffered per partition before fetching it pauses. */
const highWater = 2000;
const lowWater = 500;

export interface FetchControl {
  /** Positions fetching of `partition` at `offset` and resumes it. */
  seek(partition: number, offset: number): void;
  pause(partition: number): void;
  resume(partition: number): void;
  /** The offset the next appended record will get (Kafka's high watermark). */
  endOffset(partition: number): Promise<number>;
}

interface PartitionState {
  /** The offset the next `read` is expected to ask for. */
  position: number;
  buffer: LogRecord[];
  paused: boolean;
  waiters: Set<() => void>;
}

/**
 * Turns the records a Kafka consumer pushes into the pull reads of the PartitionedLog port: each
 * partition has a buffer that follows the position readers ask for; asking for another position
 * seeks. Fetching pauses when a buffer is full and when nobody reads the partition.
 */
export class PartitionReader {
  private readonly states = new Map<number, PartitionState>();
  private closed = false;

  constructor(
    private readonly stream: Stream,
    private readonly control: FetchControl,
  ) {}

  /**
   * Called by the consumer with the records of a fetched batch (never a stale one). Offsets of a
   * topic without transactions or compaction are contiguous: a batch that does not start where the
   * buffer ends came from a consumer that lost its position (a rejoin resets it), so seek back.
   */
  push(partition: number, records: readonly LogRecord[]): void {
    const state = this.states.get(partition);
    if (state === undefined) return;
    const next = this.nextToFetch(state);
    const fresh = records.filter((r) => r.offset >= next);
    const first = fresh[0];
    if (first === undefined) return;
    if (first.offset !== next) {
      this.control.seek(partition, next);
      return;
    }
    state.buffer.push(...fresh);
    if (state.buffer.length >= highWater && !state.paused) {
      state.paused = true;
      this.control.pause(partition);
    }
    this.wake(state);
  }

  /** Seeks every followed partition to where its buffer ends (after the consumer rejoined its group). */
  reseek(): void {
    for (const [partition, state] of this.states) {
      this.control.seek(partition, this.nextToFetch(state));
      if (state.paused) this.control.pause(partition);
    }
  }

  private nextToFetch(state: PartitionState): number {
    const last = state.buffer[state.buffer.length - 1];
    return last === undefined ? state.position : last.offset + 1;
  }

  async read(partition: number, fromOffset: number, options: ReadOptions): Promise<LogRecord[]> {
    let state = this.states.get(partition);
    if (state === undefined || state.position !== fromOffset) {
      const waiters = state?.waiters ?? new Set<() => void>();
      state = { position: fromOffset, buffer: [], paused: false, waiters };
      this.states.set(partition, state);
      this.control.seek(partition, fromOffset);
    }
    if (state.buffer.length === 0) {
      // A record that is already in the log counts as there, even before the consumer fetched it.
      const waitMs =
        options.waitMs > 0
          ? options.waitMs
          : (await this.control.endOffset(partition)) > fromOffset
            ? 10_000
            : 0;
      if (waitMs > 0) await this.waitForRecords(state, waitMs, options.signal);
      // Still nothing although the log has records past our position: the consumer lost its place
      // (a group rejoin after a broker restart resets it to the end), so seek back to it.
      if (state.buffer.length === 0 && options.signal?.aborted !== true && !this.closed) {
        const next = this.nextToFetch(state);
        if ((await this.control.endOffset(partition)) > next) this.control.seek(partition, next);
      }
    }
    if (this.closed || this.states.get(partition) !== state) return [];
    const records = state.buffer.splice(0, options.maxRecords);
    const last = records[records.length - 1];
    if (last !== undefined) state.position = last.offset + 1;
    if (state.paused && state.buffer.length <= lowWater) {
      state.paused = false;
      this.control.resume(partition);
    }
    return records;
  }

  /** Stops following a partition (its owner moved on); a later read seeks again. */
  forget(partition: number): void {
    const state = this.states.get(partition);
    if (state === undefined) return;
    this.states.delete(partition);
    this.control.pause(partition);
    this.wake(state);
  }

  get followed(): number[] {
    return [...this.states.keys()];
  }

  close(): void {
    this.closed = true;
    for (const state of this.states.values()) this.wake(state);
    this.states.clear();
  }

  describe(): string {
    return `${this.stream}: ${[...this.states].map(([p, s]) => `${p}@${s.position}+${s.buffer.length}`).join(' ')}`;
  }

  private wake(state: PartitionState): void {
    const waiters = [...state.waiters];
    state.waiters.clear();
    for (const wake of waiters) wake();
  }

  private waitForRecords(state: PartitionState, waitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true || this.closed || state.buffer.length > 0) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        state.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      state.waiters.add(done);
    });
  }
}
