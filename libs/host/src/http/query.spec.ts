import {
  booleanParam,
  dateParam,
  instanceIdParam,
  pageSizeParam,
  parseListQuery,
  parsePurgeQuery,
  parseStatusQuery,
  statusesParam,
  stringParam,
} from './query';

describe('stringParam', () => {
  it('is undefined when absent or empty', () => {
    expect(stringParam({}, 'reason')).toBeUndefined();
    expect(stringParam({ reason: '' }, 'reason')).toBeUndefined();
  });

  it('rejects a repeated parameter', () => {
    expect(() => stringParam({ reason: ['a', 'b'] }, 'reason')).toThrow(
      "invalid query parameter 'reason': it must be given once",
    );
  });
});

describe('booleanParam', () => {
  it('reads true and false in any case and defaults when absent', () => {
    expect(booleanParam({ f: 'TRUE' }, 'f', false)).toBe(true);
    expect(booleanParam({ f: 'False' }, 'f', true)).toBe(false);
    expect(booleanParam({}, 'f', true)).toBe(true);
  });

  it('rejects anything else, naming the parameter', () => {
    expect(() => booleanParam({ f: '1' }, 'f', false)).toThrow(
      "invalid query parameter 'f': it must be 'true' or 'false', got '1'",
    );
  });

  it.each([
    ['booleanParam', (q: Record<string, string>) => booleanParam(q, 'f', false)],
    ['dateParam', (q: Record<string, string>) => dateParam(q, 'f')],
    ['pageSizeParam', (q: Record<string, string>) => pageSizeParam(q, 'f')],
  ])('%s rejects an empty value instead of reading it as absent', (_, parse) => {
    expect(() => parse({ f: '' })).toThrow("invalid query parameter 'f': it must not be empty");
  });
});

describe('dateParam', () => {
  it.each([
    ['2024-03-01', '2024-03-01T00:00:00.000Z'],
    ['2024-03-01T10:20', '2024-03-01T10:20:00.000Z'],
    ['2024-03-01T10:20:30.5Z', '2024-03-01T10:20:30.500Z'],
    ['2024-03-01T10:20:30+01:00', '2024-03-01T09:20:30.000Z'],
    ['2024-03-01T10:20:30 01:00', '2024-03-01T09:20:30.000Z'],
    ['2024-03-01T10:20:30-0130', '2024-03-01T11:50:30.000Z'],
  ])('reads %s as %s (no offset means UTC; a space before the offset was a +)', (value, iso) => {
    expect(dateParam({ t: value }, 't')?.toISOString()).toBe(iso);
  });

  it.each(['tomorrow', '2024-02-30', '2024-13-01', '2024-01-01T24:61', '1709251200000', '2024-01-01 10:00'])(
    'rejects %s, naming the parameter',
    (value) => {
      expect(() => dateParam({ t: value }, 't')).toThrow(
        `invalid query parameter 't': it must be an ISO-8601 date or date-time, got '${value}'`,
      );
    },
  );
});

describe('statusesParam', () => {
  it('reads a comma-separated list in any case, without blanks or duplicates', () => {
    expect(statusesParam({ s: 'running, PENDING,,running' }, 's')).toEqual(['Running', 'Pending']);
  });

  it('is undefined for an absent or blank list', () => {
    expect(statusesParam({}, 's')).toBeUndefined();
    expect(statusesParam({ s: ' , ' }, 's')).toBeUndefined();
  });

  it('rejects an unknown status, naming it and the parameter', () => {
    expect(() => statusesParam({ s: 'Running,Done' }, 's')).toThrow(
      "invalid query parameter 's': 'Done' is not a runtime status (Pending, Running, Completed, ContinuedAsNew, Failed, Canceled, Terminated, Suspended)",
    );
  });
});

describe('pageSizeParam', () => {
  it('reads an integer from 1 to 1000', () => {
    expect(pageSizeParam({ top: '1' }, 'top')).toBe(1);
    expect(pageSizeParam({ top: '1000' }, 'top')).toBe(1000);
  });

  it.each(['0', '1001', '-5', '2.5', '1e2', ' 7'])('rejects %s', (value) => {
    expect(() => pageSizeParam({ top: value }, 'top')).toThrow("invalid query parameter 'top'");
  });
});

describe('instanceIdParam', () => {
  it('passes a valid id through and rejects an invalid one', () => {
    expect(instanceIdParam('order-1')).toBe('order-1');
    expect(() => instanceIdParam('a?b')).toThrow('invalid instance id');
  });
});

describe('parseStatusQuery', () => {
  it('defaults as Durable Functions does: input shown, history and failure-as-500 not', () => {
    expect(parseStatusQuery({})).toEqual({
      showHistory: false,
      showHistoryOutput: false,
      showInput: true,
      returnInternalServerErrorOnFailure: false,
    });
  });
});

describe('parseListQuery', () => {
  it('leaves absent filters out and includes inputs by default', () => {
    expect(parseListQuery({}, undefined)).toEqual({ includeInput: true });
    expect(parseListQuery({}, '')).toEqual({ includeInput: true });
  });

  it('rejects a range that ends before it starts', () => {
    expect(() =>
      parseListQuery({ createdTimeFrom: '2024-02-01', createdTimeTo: '2024-01-01' }, undefined),
    ).toThrow("invalid query parameter 'createdTimeTo': it must not be before createdTimeFrom");
  });
});

describe('parsePurgeQuery', () => {
  it('requires createdTimeFrom', () => {
    expect(() => parsePurgeQuery({ createdTimeTo: '2024-01-01' })).toThrow(
      "invalid query parameter 'createdTimeFrom': it is required to purge by filter",
    );
  });

  it('accepts finished statuses only', () => {
    expect(parsePurgeQuery({ createdTimeFrom: '2024-01-01', runtimeStatus: 'Completed,Terminated' })).toEqual(
      {
        createdFrom: new Date('2024-01-01T00:00:00Z'),
        statuses: ['Completed', 'Terminated'],
      },
    );
    expect(() =>
      parsePurgeQuery({ createdTimeFrom: '2024-01-01', runtimeStatus: 'Completed,Suspended' }),
    ).toThrow('only finished instances can be purged, not Suspended');
  });
});
