import { UnavailableError, WorkerUnavailableError } from '@durable/core';
import { pb } from './proto';
import { WorkItemHub, type WorkItemStream } from './work-item-hub';

class Stream implements WorkItemStream {
  readonly items: pb.WorkItem[] = [];
  ended = false;
  write(item: pb.WorkItem): void {
    this.items.push(item);
  }
  end(): void {
    this.ended = true;
  }
  get work(): pb.WorkItem[] {
    return this.items.filter((i) => !i.hasHealthping());
  }
}

function orchestratorRequest(instanceId: string): pb.OrchestratorRequest {
  const request = new pb.OrchestratorRequest();
  request.setInstanceid(instanceId);
  return request;
}

function activityRequest(instanceId: string, taskId: number): pb.ActivityRequest {
  const request = new pb.ActivityRequest();
  request.setName('A');
  request.setTaskid(taskId);
  const ref = new pb.OrchestrationInstance();
  ref.setInstanceid(instanceId);
  request.setOrchestrationinstance(ref);
  return request;
}

describe('WorkItemHub', () => {
  let hub: WorkItemHub;
  beforeEach(() => (hub = new WorkItemHub({ pingIntervalMs: 60_000 })));
  afterEach(() => hub.close());

  it('matches an orchestrator completion by token', async () => {
    const stream = new Stream();
    hub.connect(stream);
    const answer = hub.runOrchestrator('Flow', orchestratorRequest('i1'));
    const item = stream.work[0]!;
    expect(item.getOrchestratorrequest()?.getInstanceid()).toBe('i1');
    const response = new pb.OrchestratorResponse();
    response.setInstanceid('i1');
    response.setCompletiontoken(item.getCompletiontoken());
    expect(hub.completeOrchestrator(response)).toBe(true);
    await expect(answer).resolves.toBe(response);
    expect(hub.completeOrchestrator(response)).toBe(false);
  });

  it('hands a worker no more items of a kind than its limit, and the next one when it finishes one', async () => {
    const stream = new Stream();
    hub.connect(stream, {}, { activity: 2 });
    const answers = [1, 2, 3].map((taskId) => hub.runActivity(activityRequest('i1', taskId)));
    for (const answer of answers) answer.catch(() => undefined);
    expect(stream.work.map((i) => i.getActivityrequest()?.getTaskid())).toEqual([1, 2]);
    // Other kinds are not held back by the activity limit.
    hub.runOrchestrator('Flow', orchestratorRequest('i2')).catch(() => undefined);
    expect(stream.work).toHaveLength(3);

    const response = new pb.ActivityResponse();
    response.setCompletiontoken(stream.work[0]!.getCompletiontoken());
    expect(hub.completeActivity(response)).toBe(true);
    await expect(answers[0]).resolves.toBe(response);
    expect(stream.work.map((i) => i.getActivityrequest()?.getTaskid())).toEqual([1, 2, undefined, 3]);
  });

  it('keeps an episode waiting, not refused, while its workers are at their limit', async () => {
    const stream = new Stream();
    hub.connect(stream, {}, { orchestrator: 1 });
    hub.runOrchestrator('Flow', orchestratorRequest('i1')).catch(() => undefined);
    const second = hub.runOrchestrator('Flow', orchestratorRequest('i2'));
    expect(stream.work).toHaveLength(1);
    expect(hub.refusedInstances).toBe(0);
    const response = new pb.OrchestratorResponse();
    response.setCompletiontoken(stream.work[0]!.getCompletiontoken());
    expect(hub.completeOrchestrator(response)).toBe(true);
    expect(stream.work.map((i) => i.getOrchestratorrequest()?.getInstanceid())).toEqual(['i1', 'i2']);
    const answer = new pb.OrchestratorResponse();
    answer.setCompletiontoken(stream.work[1]!.getCompletiontoken());
    expect(hub.completeOrchestrator(answer)).toBe(true);
    await expect(second).resolves.toBe(answer);
  });

  it('matches completions without a token by instance id and task id', async () => {
    hub.connect(new Stream());
    const first = hub.runActivity(activityRequest('i1', 1));
    const second = hub.runActivity(activityRequest('i1', 2));
    const response = new pb.ActivityResponse();
    response.setInstanceid('i1');
    response.setTaskid(2);
    expect(hub.completeActivity(response)).toBe(true);
    await expect(second).resolves.toBe(response);
    response.setTaskid(1);
    expect(hub.completeActivity(response)).toBe(true);
    await expect(first).resolves.toBe(response);
  });

  it('delivers the work of a worker that disconnected to another one', () => {
    const gone = new Stream();
    const release = hub.connect(gone);
    hub.runActivity(activityRequest('i1', 1)).catch(() => undefined);
    expect(gone.work).toHaveLength(1);
    const other = new Stream();
    hub.connect(other);
    expect(other.work).toHaveLength(0);
    release();
    expect(other.work.map((i) => i.getCompletiontoken())).toEqual(
      gone.work.map((i) => i.getCompletiontoken()),
    );
  });

  it('delivers an abandoned work item again', () => {
    const stream = new Stream();
    hub.connect(stream);
    hub.runActivity(activityRequest('i1', 1)).catch(() => undefined);
    expect(hub.abandon(stream.work[0]!.getCompletiontoken())).toBe(true);
    expect(stream.work).toHaveLength(2);
    expect(hub.openItems).toBe(1);
  });

  it('offers an abandoned episode to another worker, and refuses it (the instance parks) when every worker abandoned it', async () => {
    const woken: string[] = [];
    hub.onWorkAvailable((ids) => woken.push(...ids));
    const old = new Stream();
    hub.connect(old);
    const answer = hub.runOrchestrator('Flow', orchestratorRequest('i1'));
    expect(hub.abandon(old.work[0]!.getCompletiontoken())).toBe(true);
    // Not back to the worker that abandoned it (a version it rejects): nobody else serves it now.
    expect(old.work).toHaveLength(1);
    await expect(answer).rejects.toThrow(/abandoned the work item/);
    expect(hub.refusedInstances).toBe(1);

    const other = new Stream();
    hub.connect(other);
    expect(woken).toEqual(['i1']);
    const again = hub.runOrchestrator('Flow', orchestratorRequest('i1'));
    // A new offer: each worker is asked again, and the one that abandons passes it on.
    const first = old.work.length === 2 ? old : other;
    const second = first === old ? other : old;
    expect(hub.abandon(first.work.at(-1)!.getCompletiontoken())).toBe(true);
    expect(second.work).toHaveLength(1);
    const response = new pb.OrchestratorResponse();
    response.setCompletiontoken(second.work[0]!.getCompletiontoken());
    expect(hub.completeOrchestrator(response)).toBe(true);
    await expect(again).resolves.toBe(response);
  });

  it('sends only the names a worker asked for', () => {
    const picky = new Stream();
    hub.connect(picky, { activities: new Set(['B']) });
    hub.runActivity(activityRequest('i1', 1)).catch(() => undefined);
    expect(picky.work).toHaveLength(0);
    const any = new Stream();
    hub.connect(any);
    expect(any.work).toHaveLength(1);
  });

  it('refuses an episode no connected worker serves, and wakes it when one connects', async () => {
    const woken: string[] = [];
    hub.onWorkAvailable((ids) => woken.push(...ids));
    hub.connect(new Stream(), { orchestrations: new Set(['Other']) });
    await expect(hub.runOrchestrator('Flow', orchestratorRequest('i1'))).rejects.toBeInstanceOf(
      WorkerUnavailableError,
    );
    await expect(hub.runOrchestrator('Flow', orchestratorRequest('i2'))).rejects.toBeInstanceOf(
      WorkerUnavailableError,
    );
    expect(hub.openItems).toBe(0);
    hub.connect(new Stream(), { orchestrations: new Set(['Other']) });
    expect(woken).toEqual([]);
    hub.connect(new Stream());
    expect(woken).toEqual(['i1', 'i2']);
  });

  it('takes an episode back from a worker that does not answer in time', async () => {
    const impatient = new WorkItemHub({ pingIntervalMs: 60_000, answerTimeoutMs: 20 });
    const silent = new Stream();
    impatient.connect(silent);
    const answer = impatient.runOrchestrator('Flow', orchestratorRequest('i1'));
    expect(silent.work).toHaveLength(1);
    await expect(answer).rejects.toBeInstanceOf(WorkerUnavailableError);
    const late = new pb.OrchestratorResponse();
    late.setCompletiontoken(silent.work[0]!.getCompletiontoken());
    expect(impatient.completeOrchestrator(late)).toBe(false);
    impatient.close();
  });

  it('keeps an activity waiting until a worker connects', async () => {
    const answer = hub.runActivity(activityRequest('i1', 1));
    const stream = new Stream();
    hub.connect(stream);
    const response = new pb.ActivityResponse();
    response.setCompletiontoken(stream.work[0]!.getCompletiontoken());
    expect(hub.completeActivity(response)).toBe(true);
    await expect(answer).resolves.toBe(response);
  });

  it('fails open work with a retriable error when it closes', async () => {
    hub.connect(new Stream());
    const answer = hub.runOrchestrator('Flow', orchestratorRequest('i1'));
    hub.close();
    await expect(answer).rejects.toBeInstanceOf(UnavailableError);
  });

  it('pings every connected worker', async () => {
    const pinging = new WorkItemHub({ pingIntervalMs: 5 });
    const stream = new Stream();
    pinging.connect(stream);
    while (!stream.items.some((i) => i.hasHealthping()))
      await new Promise((resolve) => setTimeout(resolve, 5));
    pinging.close();
    expect(stream.ended).toBe(true);
  });
});
