// A partition never waits on a remote worker: while an episode is out on a worker, the partition
// commits its other instances, and messages for the waiting instance are held and applied, in
// order, after its episode's change is committed. A crash meanwhile loses nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineActivity, defineOrchestration, Registry } from '@durable/engine';
import { WorkItemHub } from '@durable/grpc';
import * as pb from '@microsoft/durabletask-js/dist/proto/orchestrator_service_pb';
import { StringValue } from 'google-protobuf/google/protobuf/wrappers_pb';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

const shout = defineActivity('LocalShout', async (text: string) => text.toUpperCase());
const localFlow = defineOrchestration('LocalFlow', async (ctx, text: string) =>
  ctx.callActivity('LocalShout', text),
);
const registry = new Registry().add(shout, localFlow);

/** A worker driven by the test: it records the work items the hub hands it and answers on demand. */
class ManualWorker {
  readonly items: pb.WorkItem[] = [];

  constructor(hub: WorkItemHub) {
    hub.connect({ write: (item) => void this.items.push(item), end: () => undefined });
  }

  orchestratorRequests(): pb.OrchestratorRequest[] {
    return this.items.flatMap((item) => {
      const request = item.getOrchestratorrequest();
      return request === undefined ? [] : [request];
    });
  }
}

function tokenOf(worker: ManualWorker, request: pb.OrchestratorRequest): string {
  const item = worker.items.find((i) => i.getOrchestratorrequest() === request);
  return item?.getCompletiontoken() ?? '';
}

function completion(request: pb.OrchestratorRequest, token: string, output: string): pb.OrchestratorResponse {
  const complete = new pb.CompleteOrchestrationAction();
  complete.setOrchestrationstatus(pb.OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
  const result = new StringValue();
  result.setValue(output);
  complete.setResult(result);
  const action = new pb.OrchestratorAction();
  action.setId(1);
  action.setCompleteorchestration(complete);
  const response = new pb.OrchestratorResponse();
  response.setInstanceid(request.getInstanceid());
  response.setCompletiontoken(token);
  response.setActionsList([action]);
  return response;
}

const eventTypeNames = new Map(
  Object.entries(pb.HistoryEvent.EventtypeCase).map(([name, value]) => [value as number, name]),
);
const newEventTypes = (request: pb.OrchestratorRequest): string[] =>
  request.getNeweventsList().map((e) => eventTypeNames.get(e.getEventtypeCase()) ?? '');

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let dataDir: string;
let platform: EmbeddedPlatform | undefined;
let hub: WorkItemHub;

/** The product with a manual worker connected before the partitions start. */
async function startProduct(): Promise<{ client: EmbeddedPlatform['client']; worker: ManualWorker }> {
  hub = new WorkItemHub({ pingIntervalMs: 60_000 });
  const worker = new ManualWorker(hub);
  // One partition: the remote instance and the in-process ones share it.
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 1, remote: hub });
  return { client: platform.client, worker };
}

async function stopProduct(): Promise<void> {
  hub.close();
  await platform?.stop();
  platform = undefined;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-detached-'));
});

afterEach(async () => {
  await stopProduct();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a remote episode in flight', () => {
  it('does not hold up its partition, and the messages that arrive meanwhile apply after it, in order', async () => {
    const { client, worker } = await startProduct();
    await client.start('RemoteFlow', { instanceId: 'remote-1', remote: true });
    await until(() => worker.orchestratorRequests().length === 1, 'the first episode');

    // The same partition completes in-process work while the remote episode is unanswered.
    const local = await client.start('LocalFlow', { input: '"meanwhile"' });
    const done = await client.waitForCompletion(local.instanceId, { timeoutMs: 20_000 });
    expect(done?.runtimeStatus).toBe('Completed');
    expect(done?.output).toBe('"MEANWHILE"');

    // Arrives while the episode is out: held, then delivered with the next episode.
    await client.raiseEvent('remote-1', 'First', '1');
    await client.raiseEvent('remote-1', 'Second', '2');
    expect(worker.orchestratorRequests()).toHaveLength(1);

    const [first] = worker.orchestratorRequests() as [pb.OrchestratorRequest];
    expect(newEventTypes(first)).toEqual(['ORCHESTRATORSTARTED', 'EXECUTIONSTARTED']);
    const noActions = new pb.OrchestratorResponse();
    noActions.setInstanceid('remote-1');
    noActions.setCompletiontoken(tokenOf(worker, first));
    expect(hub.completeOrchestrator(noActions)).toBe(true);

    await until(() => worker.orchestratorRequests().length === 2, 'the second episode');
    const second = worker.orchestratorRequests()[1] as pb.OrchestratorRequest;
    expect(second.getPasteventsList().map((e) => e.getEventtypeCase())).toContain(
      pb.HistoryEvent.EventtypeCase.EXECUTIONSTARTED,
    );
    expect(
      second.getNeweventsList().flatMap((e) => (e.hasEventraised() ? [e.getEventraised()?.getName()] : [])),
    ).toEqual(['First', 'Second']);
    expect(hub.completeOrchestrator(completion(second, tokenOf(worker, second), '"done"'))).toBe(true);

    const remote = await client.waitForCompletion('remote-1', { timeoutMs: 20_000 });
    expect(remote?.runtimeStatus).toBe('Completed');
    expect(remote?.output).toBe('"done"');
  });

  it('is run again after a restart when its answer never got committed', async () => {
    let { client, worker } = await startProduct();
    await client.start('RemoteFlow', { instanceId: 'remote-2', remote: true });
    await until(() => worker.orchestratorRequests().length === 1, 'the first episode');
    // Committed after the remote instance's start message: the log offset must not pass that start.
    const local = await client.start('LocalFlow', { input: '"after"' });
    expect((await client.waitForCompletion(local.instanceId, { timeoutMs: 20_000 }))?.runtimeStatus).toBe(
      'Completed',
    );

    await stopProduct();
    ({ client, worker } = await startProduct());
    await until(() => worker.orchestratorRequests().length === 1, 'the episode after the restart');
    const [again] = worker.orchestratorRequests() as [pb.OrchestratorRequest];
    expect(newEventTypes(again)).toEqual(['ORCHESTRATORSTARTED', 'EXECUTIONSTARTED']);
    expect(hub.completeOrchestrator(completion(again, tokenOf(worker, again), '"once"'))).toBe(true);
    expect((await client.waitForCompletion('remote-2', { timeoutMs: 20_000 }))?.output).toBe('"once"');
    // The in-process instance committed before the restart is not run again.
    expect((await client.getStatus(local.instanceId))?.runtimeStatus).toBe('Completed');
  });
});
