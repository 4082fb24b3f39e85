import { randomIds } from './system-ports';

describe('randomIds', () => {
  it('makes unique version-7 UUIDs whose order follows creation time', async () => {
    const first = randomIds.newId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ids = Array.from({ length: 1000 }, () => randomIds.newId());
    expect(first).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id) => id > first)).toBe(true);
  });
});
