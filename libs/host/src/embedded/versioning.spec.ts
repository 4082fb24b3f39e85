// Orchestration versioning on the embedded platform, through its client: an instance keeps the
// version it started with; a worker whose match strategy refuses it either leaves it waiting
// (Reject: parked, run by the next worker whose version matches) or fails it (Fail).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineOrchestration, Registry, type VersioningOptions } from '@durable/engine';
import { EmbeddedPlatform } from './embedded-platform';

const output = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

/** The code of one deployment: it says which deployment ran it, and what version it saw. */
function deployment(label: string): Registry {
  return new Registry().add(
    defineOrchestration('Order', async (ctx) => {
      const child = await ctx.callSubOrchestrator<string | null>('OrderChild');
      return {
        ranBy: label,
        version: ctx.version ?? null,
        newerThan1: ctx.compareVersionTo('1.0') > 0,
        child,
      };
    }),
    defineOrchestration('OrderChild', (ctx) => ctx.version ?? null),
  );
}

describe('orchestration versioning (embedded)', () => {
  let dir: string;
  let platform: EmbeddedPlatform | undefined;

  const start = async (label: string, versioning: VersioningOptions) => {
    await platform?.stop();
    platform = await EmbeddedPlatform.start({
      dataDir: dir,
      registry: deployment(label),
      partitions: 2,
      parkedRetryMs: 100,
      versioning,
    });
    return platform.client;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-versioning-'));
  });

  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs versions the worker accepts, with ctx.version, and starts sub-orchestrations with the default version', async () => {
    const client = await start('v2', {
      version: '2.0',
      defaultVersion: '2.0',
      matchStrategy: 'CurrentOrOlder',
    });
    await client.start('Order', { instanceId: 'old', version: '1.0' });
    await client.start('Order', { instanceId: 'unversioned' });
    const old = await client.waitForCompletion('old', { timeoutMs: 10_000 });
    expect(old).toMatchObject({ runtimeStatus: 'Completed', version: '1.0' });
    expect(output(old?.output)).toEqual({ ranBy: 'v2', version: '1.0', newerThan1: false, child: '2.0' });
    const none = await client.waitForCompletion('unversioned', { timeoutMs: 10_000 });
    expect(output(none?.output)).toMatchObject({ ranBy: 'v2', version: null });
  });

  it('Fail: an instance newer than the worker fails with a VersionMismatch error', async () => {
    const client = await start('v1', {
      version: '1.0',
      matchStrategy: 'CurrentOrOlder',
      failureStrategy: 'Fail',
    });
    await client.start('Order', { instanceId: 'newer', version: '2.0' });
    const status = await client.waitForCompletion('newer', { timeoutMs: 10_000 });
    expect(status).toMatchObject({
      runtimeStatus: 'Failed',
      failureDetails: {
        errorType: 'VersionMismatch',
        errorMessage: "The orchestration version '2.0' is greater than the worker version '1.0'.",
      },
    });
  });

  it('Reject: the instance waits until a worker of its version runs it, and no other worker runs its code', async () => {
    let client = await start('v1', { version: '1.0', defaultVersion: '1.0', matchStrategy: 'Strict' });
    await client.start('Order', { instanceId: 'next', version: '2.0' });
    await client.start('Order', { instanceId: 'current', version: '1.0' });
    expect(output((await client.waitForCompletion('current', { timeoutMs: 10_000 }))?.output)).toMatchObject({
      ranBy: 'v1',
    });
    // Parked and retried (every 100 ms here): it stays Running, its code never runs on v1.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const waiting = await client.getStatus('next', { includeHistory: true });
    expect(waiting?.runtimeStatus).not.toBe('Completed');
    expect(waiting?.history?.some((e) => e.type === 'SubOrchestrationInstanceCreated') ?? false).toBe(false);

    client = await start('v2', { version: '2.0', defaultVersion: '2.0', matchStrategy: 'Strict' });
    const done = await client.waitForCompletion('next', { timeoutMs: 10_000 });
    expect(done?.runtimeStatus).toBe('Completed');
    expect(output(done?.output)).toEqual({ ranBy: 'v2', version: '2.0', newerThan1: true, child: '2.0' });
  });
});
