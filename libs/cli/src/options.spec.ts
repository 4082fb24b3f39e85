import { InvalidArgumentError } from 'commander';
import { laterTimeOption, positiveIntOption, statusOption, taskHubOption, timeOption } from './options';

const now = () => Date.parse('2026-06-10T12:00:00.000Z');

describe('timeOption', () => {
  it('reads an age as that long before now', () => {
    expect(timeOption('90m', now)).toBe('2026-06-10T10:30:00.000Z');
    expect(timeOption('7d', now)).toBe('2026-06-03T12:00:00.000Z');
  });

  it('reads a date-time without an offset as UTC, as the server does', () => {
    expect(timeOption('2026-01-02T03:04:05', now)).toBe('2026-01-02T03:04:05.000Z');
    expect(timeOption('2026-01-02T03:04:05+01:00', now)).toBe('2026-01-02T02:04:05.000Z');
    expect(timeOption('2026-01-02', now)).toBe('2026-01-02T00:00:00.000Z');
  });

  it('rejects anything else with the forms it takes', () => {
    expect(() => timeOption('yesterday', now)).toThrow(InvalidArgumentError);
    expect(() => timeOption('7 days', now)).toThrow(/span like 30s/);
  });

  it('reads a delay for a later time as that long from now', () => {
    expect(laterTimeOption('30s', now)).toBe('2026-06-10T12:00:30.000Z');
  });
});

describe('statusOption', () => {
  it('takes any case, commas and repeats, without duplicates', () => {
    expect(statusOption('completed,FAILED', statusOption('Completed'))).toEqual(['Completed', 'Failed']);
  });

  it('rejects a name that is not a runtime status', () => {
    expect(() => statusOption('Done')).toThrow(/'Done' is not a runtime status/);
  });
});

describe('positiveIntOption', () => {
  it.each(['0', '-1', '1.5', 'ten', ''])('rejects %j', (value) =>
    expect(() => positiveIntOption(value)).toThrow(InvalidArgumentError),
  );
});

describe('taskHubOption', () => {
  it('keeps a task hub name as given', () => {
    expect(taskHubOption('Billing-2')).toBe('Billing-2');
  });

  it.each(['', '2fast', 'no such hub', 'a_b', 'x'.repeat(42)])('rejects %j', (value) =>
    expect(() => taskHubOption(value)).toThrow(InvalidArgumentError),
  );
});
