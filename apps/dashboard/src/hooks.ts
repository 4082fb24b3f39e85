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
  // A function is new on every render: read it through a ref, or each render would restart polling.
  const intervalRef = useRef(intervalMs);
  intervalRef.current = intervalMs;
  const fixedInterval = typeof intervalMs === 'number' ? intervalMs : undefined;
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
      const interval = intervalRef.current;
      const wait = typeof interval === 'function' ? interval(last) : interval;
      if (!cancelled && wait > 0) timer = setTimeout(() => void run(), wait);
    };
    void run();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [...deps, fixedInterval, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}
