import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('evicts the least recently used entries once their weight passes the limit', () => {
    const cache = new LruCache<string>(10);
    cache.set('a', 'A', 4);
    cache.set('b', 'B', 4);
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.totalWeight).toBe(8);
  });

  it('replaces an entry, bounds the count, and skips a value heavier than the limit', () => {
    const cache = new LruCache<string>(100, 2);
    cache.set('a', 'A', 1);
    cache.set('a', 'A2', 5);
    expect(cache.get('a')).toBe('A2');
    expect(cache.totalWeight).toBe(5);
    cache.set('b', 'B', 1);
    cache.set('c', 'C', 1);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    cache.set('huge', 'H', 101);
    expect(cache.get('huge')).toBeUndefined();
    cache.delete('b');
    expect(cache.totalWeight).toBe(1);
  });
});
