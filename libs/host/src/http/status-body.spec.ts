import { RuntimeStatus } from '@durable/core';
import type { InstanceStatus } from '@durable/runtime';
import { statusBody, statusHttpCode } from './status-body';

const status: InstanceStatus = {
  instanceId: 'i1',
  name: 'Hello',
  executionId: 'e1',
  runtimeStatus: RuntimeStatus.Failed,
  input: '{"a":[1,2]}',
  output: 'not json',
  failureDetails: { errorType: 'Error', errorMessage: 'boom' },
  createdAt: '2024-01-01T00:00:00.000Z',
  lastUpdatedAt: '2024-01-01T00:01:00.000Z',
};

describe('statusBody', () => {
  it('shows payloads as JSON values, null when absent, and the failure details', () => {
    expect(statusBody(status, { showInput: true, showHistory: false, showHistoryOutput: false })).toEqual({
      name: 'Hello',
      instanceId: 'i1',
      runtimeStatus: 'Failed',
      input: { a: [1, 2] },
      customStatus: null,
      output: 'not json',
      createdTime: '2024-01-01T00:00:00.000Z',
      lastUpdatedTime: '2024-01-01T00:01:00.000Z',
      failureDetails: { errorType: 'Error', errorMessage: 'boom' },
    });
  });

  it('shows a null input when not asked for it, and an empty history when there is none', () => {
    const body = statusBody(status, { showInput: false, showHistory: true, showHistoryOutput: true });
    expect(body.input).toBeNull();
    expect(body.historyEvents).toEqual([]);
  });
});

describe('statusHttpCode', () => {
  it.each([
    [RuntimeStatus.Completed, 200],
    [RuntimeStatus.Pending, 202],
    [RuntimeStatus.Running, 202],
    [RuntimeStatus.Suspended, 202],
    [RuntimeStatus.ContinuedAsNew, 202],
    [RuntimeStatus.Failed, 400],
    [RuntimeStatus.Terminated, 400],
    [RuntimeStatus.Canceled, 400],
  ])('answers %s with %i', (runtimeStatus, code) => {
    expect(statusHttpCode(runtimeStatus, false)).toBe(code);
  });

  it('answers a failure with 500 only when asked to', () => {
    expect(statusHttpCode(RuntimeStatus.Failed, true)).toBe(500);
    expect(statusHttpCode(RuntimeStatus.Terminated, true)).toBe(400);
  });
});
