import { WorkerUnavailableError, type HistoryEvent } from '@durable/core';
import { events as e } from '@durable/core/testing';
import type { OrchestrationContext } from './definitions';
import { OrchestrationExecutor } from './executor';
import { Registry } from './registry';
import {
  compareVersions,
  versionMismatch,
  VersionFailureStrategy,
  VersionMatchStrategy,
  type VersioningOptions,
} from './versioning';

describe('compareVersions', () => {
  it.each([
    ['1.0.0', '2.0.0', -1],
    ['2.1.0', '2.0.9', 1],
    ['1.10', '1.9', 1],
    ['1', '1.0.0', 0],
    ['1.0.0.1', '1.0.0', 1],
    ['', '1.0', -1],
    [undefined, undefined, 0],
    ['1.0', undefined, 1],
    ['beta', 'Alpha', 1],
    ['ALPHA', 'alpha', 0],
  ])('orders %p against %p as %p', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('versionMismatch', () => {
  const worker = (
    matchStrategy: VersioningOptions['matchStrategy'],
    failureStrategy?: 'Reject' | 'Fail',
  ) => ({
    version: '2.0',
    matchStrategy,
    ...(failureStrategy !== undefined ? { failureStrategy } : {}),
  });

  it('accepts every version without a strategy, or without a worker version', () => {
    expect(versionMismatch(undefined, '9')).toBeUndefined();
    expect(versionMismatch(worker(VersionMatchStrategy.None), '9')).toBeUndefined();
    expect(versionMismatch({ matchStrategy: 'Strict' }, '9')).toBeUndefined();
  });

  it('Strict accepts only the worker version', () => {
    expect(versionMismatch(worker('Strict'), '2.0.0')).toBeUndefined();
    expect(versionMismatch(worker('Strict'), '1.0')?.failureDetails.errorMessage).toBe(
      "The orchestration version '1.0' does not match the worker version '2.0'.",
    );
    expect(versionMismatch(worker('Strict'), undefined)).toBeDefined();
  });

  it('CurrentOrOlder accepts older versions and none, not newer ones', () => {
    expect(versionMismatch(worker('CurrentOrOlder'), '1.5')).toBeUndefined();
    expect(versionMismatch(worker('CurrentOrOlder'), undefined)).toBeUndefined();
    expect(versionMismatch(worker('CurrentOrOlder'), '2.0.1')?.failureDetails).toEqual({
      errorType: 'VersionMismatch',
      errorMessage: "The orchestration version '2.0.1' is greater than the worker version '2.0'.",
      isNonRetriable: true,
    });
  });

  it('rejects by default, fails when asked to', () => {
    expect(versionMismatch(worker('Strict'), '1')?.failureStrategy).toBe(VersionFailureStrategy.Reject);
    expect(versionMismatch(worker('Strict', 'Fail'), '1')?.failureStrategy).toBe(VersionFailureStrategy.Fail);
  });
});

describe('OrchestrationExecutor with versioning', () => {
  const seen: Array<{ version: string | undefined; newer: number }> = [];
  const registry = new Registry();
  registry.addOrchestrator('Versioned', async (ctx: OrchestrationContext) => {
    seen.push({ version: ctx.version, newer: Math.sign(ctx.compareVersionTo('1.5')) });
    await ctx.callSubOrchestrator('Child', undefined);
    return ctx.version;
  });
  const started = (version: string | undefined): HistoryEvent[] => [
    e.orchestratorStarted(),
    e.executionStarted('Versioned', undefined, version !== undefined ? { version } : {}),
  ];
  const executor = (versioning: VersioningOptions) => new OrchestrationExecutor(registry, { versioning });

  beforeEach(() => (seen.length = 0));

  it('gives the code its version and a comparison, and starts sub-orchestrations with the default version', async () => {
    const result = await executor({ version: '2', defaultVersion: '2.0', matchStrategy: 'CurrentOrOlder' })
      .createSession()
      .execute([], started('1.0'));
    expect(seen).toEqual([{ version: '1.0', newer: -1 }]);
    expect(result.actions).toEqual([
      expect.objectContaining({ type: 'CreateSubOrchestration', name: 'Child', version: '2.0' }),
    ]);
  });

  it('Reject: throws WorkerUnavailableError before running anything, and runs once a matching session gets it', async () => {
    const session = executor({ version: '1', matchStrategy: 'Strict' }).createSession();
    await expect(session.execute([], started('2'))).rejects.toBeInstanceOf(WorkerUnavailableError);
    expect(seen).toEqual([]);
    const other = executor({ version: '2', matchStrategy: 'Strict' }).createSession();
    const result = await other.execute([], started('2'));
    expect(seen).toEqual([{ version: '2', newer: 1 }]);
    expect(result.actions[0]?.type).toBe('CreateSubOrchestration');
  });

  it('Reject: replays history without refusing, and refuses the next new episode', async () => {
    const session = executor({ version: '1', matchStrategy: 'Strict' }).createSession();
    await expect(session.execute(started('2'), [])).resolves.toEqual({
      actions: [],
      customStatus: undefined,
      completion: undefined,
      awaitedEvents: [],
    });
    expect(seen).toEqual([]);
    await expect(session.execute([], [e.orchestratorStarted()])).rejects.toBeInstanceOf(
      WorkerUnavailableError,
    );
  });

  it('Fail: fails the instance with a VersionMismatch error without running its code', async () => {
    const result = await executor({ version: '1', matchStrategy: 'CurrentOrOlder', failureStrategy: 'Fail' })
      .createSession()
      .execute([], started('3'));
    expect(seen).toEqual([]);
    expect(result.completion).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: { errorType: 'VersionMismatch' },
    });
  });
});
