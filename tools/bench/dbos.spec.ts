import { dbosBenchSizes, dbosMarkdown, runDbosBench } from './dbos';

describe('DBOS peer benchmark', () => {
  it('runs every workload as DBOS workflows on a private PostgreSQL cluster at tiny sizes', async () => {
    const result = await runDbosBench(dbosBenchSizes.tiny);
    const d = result.dbos;
    expect(d.helloSequence5.completed).toBeGreaterThan(0);
    expect(d.helloSequence5.p50Ms).toBeGreaterThan(0);
    expect(d.helloSequence5.resources.map((r) => r.label)).toEqual([
      'bench (driver)',
      'PostgreSQL (postmaster and backends)',
      'DBOS app (node)',
    ]);
    expect(d.helloSequence5.resources[1]?.cpuMs).toBeGreaterThan(0);
    expect(d.helloSequence5Open?.arrivals).toBeGreaterThan(0);
    expect(d.fanOutSmall?.completed).toBeGreaterThan(0);
    expect(d.fanOutLarge?.activities).toBe(20);
    expect(d.timers?.instances).toBe(5);
    expect(result.postgres).toContain('PostgreSQL');
    expect(dbosMarkdown(result)).toContain('DBOS.runStep');
  }, 60_000);
});
