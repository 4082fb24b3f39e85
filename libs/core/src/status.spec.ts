import { isRuntimeStatus, isTerminalStatus, RuntimeStatus } from './index';

/** Whether each status is terminal; typed over every status so that a new one must be added here. */
const terminal: Readonly<Record<RuntimeStatus, boolean>> = {
  Pending: false,
  Running: false,
  Completed: true,
  ContinuedAsNew: false,
  Failed: true,
  Canceled: true,
  Terminated: true,
  Suspended: false,
};

describe('RuntimeStatus', () => {
  it('names each status after itself, as in the Durable Task protocol', () => {
    for (const [key, value] of Object.entries(RuntimeStatus)) expect(value).toBe(key);
  });

  it('has exactly the statuses this spec knows about', () => {
    expect(Object.values(RuntimeStatus).sort()).toEqual(Object.keys(terminal).sort());
  });
});

describe('isTerminalStatus', () => {
  it.each(Object.entries(terminal))('says %s is terminal: %s', (status, expected) => {
    expect(isTerminalStatus(status as RuntimeStatus)).toBe(expected);
  });

  it('treats ContinuedAsNew and Suspended as not terminal: the instance will run again', () => {
    expect(isTerminalStatus(RuntimeStatus.ContinuedAsNew)).toBe(false);
    expect(isTerminalStatus(RuntimeStatus.Suspended)).toBe(false);
  });
});

describe('isRuntimeStatus', () => {
  it.each(Object.values(RuntimeStatus))('accepts %s', (status) => {
    expect(isRuntimeStatus(status)).toBe(true);
  });

  it.each([
    ['a lower-case status', 'completed'],
    ['an upper-case status', 'RUNNING'],
    ['a status with whitespace', ' Running'],
    ['an unknown word', 'Done'],
    ['the empty string', ''],
    ['an Object.prototype member', 'toString'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['a number', 2],
    ['null', null],
    ['undefined', undefined],
    ['an object', { status: 'Running' }],
    ['a String object', new String('Running')],
  ])('rejects %s', (_label, value) => {
    expect(isRuntimeStatus(value)).toBe(false);
  });
});
