import { TimerQueue } from './timer-queue';

describe('TimerQueue', () => {
  it('pops due entries earliest first and keeps the rest', () => {
    const queue = new TimerQueue<string>();
    for (const [at, v] of [
      [50, 'e'],
      [10, 'a'],
      [30, 'c'],
      [20, 'b'],
      [40, 'd'],
    ] as const)
      queue.push(at, v);
    expect(queue.peekTime()).toBe(10);
    expect(queue.popDue(30)).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(2);
    expect(queue.popDue(100)).toEqual(['d', 'e']);
    expect(queue.peekTime()).toBeUndefined();
  });

  it('orders many random entries', () => {
    const queue = new TimerQueue<number>();
    const times = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    for (const t of times) queue.push(t, t);
    expect(queue.popDue(Number.MAX_SAFE_INTEGER)).toEqual([...times].sort((a, b) => a - b));
  });
});
