import {
  defaultFilter,
  filterFromSearch,
  listQuery,
  searchFromFilter,
  sequenceMessages,
  throughput,
  timelineBars,
  type HistoryEventJson,
} from './model';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(t0 + ms).toISOString();

const retried: HistoryEventJson[] = [
  { EventType: 'ExecutionStarted', Timestamp: at(0), FunctionName: 'Retrying' },
  { EventType: 'TaskFailed', Timestamp: at(100), FunctionName: 'Flaky', ScheduledTime: at(10) },
  { EventType: 'TimerCreated', Timestamp: at(100), FireAt: at(600) },
  { EventType: 'TimerFired', Timestamp: at(610), FireAt: at(600), TimerId: 1 },
  { EventType: 'TaskCompleted', Timestamp: at(700), FunctionName: 'Flaky', ScheduledTime: at(620) },
  { EventType: 'TimerCreated', Timestamp: at(700), FireAt: at(60_000) },
];

describe('timelineBars', () => {
  it('draws each attempt of a retried activity as its own bar, and open timers up to their due time', () => {
    const bars = timelineBars(retried, t0 + 1000, { events: [{ name: 'Approval', since: at(700) }] });
    expect(bars.map((b) => [b.kind, b.startMs - t0, b.endMs - t0, b.outcome])).toEqual([
      ['activity', 10, 100, 'failed'],
      ['timer', 100, 610, 'completed'],
      ['activity', 620, 700, 'completed'],
      ['timer', 700, 60_000, 'pending'],
      ['event', 700, 1000, 'pending'],
    ]);
  });
});

describe('sequenceMessages', () => {
  it('draws calls and results between the orchestration and each participant', () => {
    const { lanes, messages } = sequenceMessages([
      ...retried,
      {
        EventType: 'EntityOperationCalled',
        Timestamp: at(800),
        RequestId: 'r1',
        Operation: 'add',
        TargetInstanceId: '@counter@a',
      },
      { EventType: 'EntityOperationCompleted', Timestamp: at(900), RequestId: 'r1' },
    ]);
    expect(lanes).toEqual(['orchestration', 'activity Flaky', 'entity @counter@a']);
    expect(messages.map((m) => `${m.from}>${m.to}:${m.label}`)).toEqual([
      'orchestration>activity Flaky:call',
      'activity Flaky>orchestration:failed',
      'orchestration>activity Flaky:call',
      'activity Flaky>orchestration:result',
      'orchestration>entity @counter@a:call add',
      'entity @counter@a>orchestration:result',
    ]);
  });
});

describe('list filters', () => {
  it('round-trip through the URL and map to the API query', () => {
    const filter = { ...defaultFilter, statuses: ['Failed', 'Running'] as const, prefix: 'order-', top: 50 };
    const search = searchFromFilter({ ...filter, statuses: [...filter.statuses] });
    expect(search.toString()).toBe('status=Failed%2CRunning&prefix=order-&top=50');
    expect(filterFromSearch(search)).toEqual({ ...filter, statuses: ['Failed', 'Running'] });
    expect(Object.fromEntries(listQuery(filterFromSearch(search)))).toEqual({
      top: '50',
      showInput: 'false',
      runtimeStatus: 'Failed,Running',
      instanceIdPrefix: 'order-',
      orderBy: 'createdTime',
      descending: 'true',
    });
    expect(filterFromSearch(new URLSearchParams('status=Bogus&top=5000'))).toEqual(defaultFilter);
  });

  it('sends name, id text and order to the server', () => {
    const filter = filterFromSearch(new URLSearchParams('name=Hello&q=-eu&sort=updated-asc'));
    expect(Object.fromEntries(listQuery(filter))).toEqual({
      top: '100',
      showInput: 'false',
      name: 'Hello',
      instanceIdContains: '-eu',
      orderBy: 'lastUpdatedTime',
      descending: 'false',
    });
  });

  it('reads the order of older links, which had no direction', () => {
    expect(filterFromSearch(new URLSearchParams('sort=updated')).sort).toBe('updated-desc');
    expect(filterFromSearch(new URLSearchParams('sort=sideways')).sort).toBe('created-desc');
  });
});

describe('throughput', () => {
  it('counts starts, completions and failures per second', () => {
    const base = { input: null, output: null, customStatus: null, name: 'X' };
    const rates = throughput(
      [
        {
          ...base,
          instanceId: '1',
          runtimeStatus: 'Completed',
          createdTime: at(0),
          lastUpdatedTime: at(1500),
        },
        {
          ...base,
          instanceId: '2',
          runtimeStatus: 'Failed',
          createdTime: at(200),
          lastUpdatedTime: at(2100),
        },
      ],
      t0 + 2999,
      3,
    );
    expect(rates).toMatchObject({ started: [2, 0, 0], completed: [0, 1, 0], failed: [0, 0, 1] });
  });
});
