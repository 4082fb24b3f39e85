import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Runs `load` now and every `intervalMs` (0: once; a function picks the wait from the last value),
 * keeping the last good value while reloading.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number | ((value: T | undefined) => number),
  deps: readonly unknown[],
): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    const run = async (): Promise<void> => {
      try {
        const value = await loadRef.current();
        last = value;
        if (!cancelled) {
          setData(value);
          setError(undefined);
        }
      } catch (e) {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      }
      const wait = typeof intervalMs === 'function' ? intervalMs(last) : intervalMs;
      if (!cancelled && wait > 0) timer = setTimeout(() => void run(), wait);
    };
    void run();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [...deps, intervalMs, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}
