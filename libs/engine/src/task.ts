/**
 * A durable task: the result of something recorded in history (an activity, a timer, an event...).
 * It is a thenable, so `await task`, `Promise.all([...])` and `Promise.race` all work, and it also
 * exposes its state synchronously for `ctx.whenAll` / `ctx.whenAny`.
 *
 * Tasks settle only while the executor applies a history event, and a native promise is created
 * only once someone awaits the task, so a failed task nobody awaited never becomes an unhandled
 * rejection.
 */
export class Task<T> implements PromiseLike<T> {
  private state: 'pending' | 'completed' | 'failed' = 'pending';
  private value: T | undefined;
  private error: unknown;
  private promise: Promise<T> | undefined;
  // Typed loosely so that Task stays covariant: a Task<number> is a Task<unknown>.
  private resolvePromise: ((value: unknown) => void) | undefined;
  private rejectPromise: ((error: unknown) => void) | undefined;
  private listeners: Array<(task: Task<unknown>) => void> | undefined;

  /** @internal Called when settling a task wakes awaiting code, so the executor knows to let it run. */
  static onWake: (() => void) | undefined;

  /** @internal Set on tasks that `ctx.cancel` can cancel: fails the task and records why. */
  canceler: (() => void) | undefined;

  get isCompleted(): boolean {
    return this.state !== 'pending';
  }

  get isFaulted(): boolean {
    return this.state === 'failed';
  }

  /** The result of a completed task; throws the failure of a failed one. */
  get result(): T {
    if (this.state === 'completed') return this.value as T;
    if (this.state === 'failed') throw this.error;
    throw new Error('the task has not completed yet');
  }

  /** The failure of a failed task, undefined otherwise. */
  get failure(): unknown {
    return this.state === 'failed' ? this.error : undefined;
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected: (reason: unknown) => R | PromiseLike<R>): Promise<T | R> {
    return this.asPromise().catch(onRejected);
  }

  /** @internal */
  complete(value: T): void {
    if (this.state !== 'pending') return;
    this.state = 'completed';
    this.value = value;
    if (this.resolvePromise !== undefined) {
      this.resolvePromise(value);
      Task.onWake?.();
    }
    this.notify();
  }

  /** @internal */
  fail(error: unknown): void {
    if (this.state !== 'pending') return;
    this.state = 'failed';
    this.error = error;
    if (this.rejectPromise !== undefined) {
      this.rejectPromise(error);
      Task.onWake?.();
    }
    this.notify();
  }

  /** @internal Runs synchronously when the task settles (used by composite tasks). */
  onSettled(listener: (task: Task<unknown>) => void): void {
    if (this.state !== 'pending') {
      listener(this);
      return;
    }
    (this.listeners ??= []).push(listener);
  }

  private notify(): void {
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(this);
  }

  private asPromise(): Promise<T> {
    if (this.promise === undefined) {
      if (this.state === 'completed') this.promise = Promise.resolve(this.value as T);
      else if (this.state === 'failed') this.promise = Promise.reject(this.error);
      else {
        this.promise = new Promise<T>((resolve, reject) => {
          this.resolvePromise = resolve as (value: unknown) => void;
          this.rejectPromise = reject;
        });
      }
    }
    return this.promise;
  }
}

export type TaskResult<T> = T extends PromiseLike<infer R> ? R : never;

/** Completes with every result in order, or fails with the first failure (like Promise.all). */
export function whenAll<const T extends readonly Task<unknown>[]>(
  tasks: T,
): Task<{ -readonly [K in keyof T]: TaskResult<T[K]> }> {
  const all = new Task<{ -readonly [K in keyof T]: TaskResult<T[K]> }>();
  let remaining = tasks.length;
  if (remaining === 0) {
    all.complete([] as unknown as { -readonly [K in keyof T]: TaskResult<T[K]> });
    return all;
  }
  const settled = (task: Task<unknown>): void => {
    if (all.isCompleted) return;
    if (task.isFaulted) {
      all.fail(task.failure);
      return;
    }
    remaining--;
    if (remaining === 0) {
      all.complete(tasks.map((t) => t.result) as unknown as { -readonly [K in keyof T]: TaskResult<T[K]> });
    }
  };
  for (const task of tasks) task.onSettled(settled);
  all.canceler = cancelEach(tasks);
  return all;
}

/**
 * Completes with the index of the first task to settle, completed or failed (read its value with
 * `tasks[i].result`). An index rather than the task itself, because awaiting a promise that
 * resolves to a thenable would unwrap it.
 */
export function whenAny(tasks: readonly Task<unknown>[]): Task<number> {
  if (tasks.length === 0) throw new RangeError('whenAny needs at least one task');
  const any = new Task<number>();
  tasks.forEach((task, index) => task.onSettled(() => any.complete(index)));
  any.canceler = cancelEach(tasks);
  return any;
}

/** Cancelling a composite cancels each of its open tasks, in order (so replay records the same). */
function cancelEach(tasks: readonly Task<unknown>[]): (() => void) | undefined {
  if (!tasks.every((task) => task.isCompleted || task.canceler !== undefined)) return undefined;
  return () => {
    for (const task of tasks) if (!task.isCompleted) task.canceler?.();
  };
}
