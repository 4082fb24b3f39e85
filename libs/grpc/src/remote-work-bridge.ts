// The bridge of the distributed mode: remote workers connect to the frontend, but orchestrations and
// activities run in worker processes. Those reach the frontend's gRPC port with one internal service,
// `durable.internal.RemoteWork`: a unary call per work item, answered when a connected SDK worker
// completes it. A call that fails (no SDK worker serves the name, the frontend is down or restarts)
// is a WorkerUnavailableError: the partition owner parks the instance and runs it again later.
import * as grpc from '@grpc/grpc-js';
import { WorkerUnavailableError } from '@durable/core';
import { pb } from './proto';
import { taskHubMetadata } from './task-hub';
import type { RemoteWork } from './remote-executor';
import type { WorkItemHub } from './work-item-hub';

const nameHeader = 'durable-orchestration-name';

function codec<T extends { serializeBinary(): Uint8Array }>(type: {
  deserializeBinary(bytes: Uint8Array): T;
}) {
  return {
    serialize: (message: T) => Buffer.from(message.serializeBinary()),
    deserialize: (bytes: Buffer) => type.deserializeBinary(new Uint8Array(bytes)),
  };
}

function method<Req extends { serializeBinary(): Uint8Array }, Res extends { serializeBinary(): Uint8Array }>(
  name: string,
  request: { deserializeBinary(bytes: Uint8Array): Req },
  response: { deserializeBinary(bytes: Uint8Array): Res },
): grpc.MethodDefinition<Req, Res> {
  const req = codec(request);
  const res = codec(response);
  return {
    path: `/durable.internal.RemoteWork/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: req.serialize,
    requestDeserialize: req.deserialize,
    responseSerialize: res.serialize,
    responseDeserialize: res.deserialize,
  };
}

export const remoteWorkService = {
  runOrchestrator: method('RunOrchestrator', pb.OrchestratorRequest, pb.OrchestratorResponse),
  runActivity: method('RunActivity', pb.ActivityRequest, pb.ActivityResponse),
  runEntity: method('RunEntity', pb.EntityBatchRequest, pb.EntityBatchResult),
};

/** The frontend's side: each call becomes a work item of the hub; a cancelled call withdraws it. */
export function remoteWorkHandlers(hub: WorkItemHub): grpc.UntypedServiceImplementation {
  const relay =
    <Req, Res>(
      run: (request: Req, name: string, signal: AbortSignal) => Promise<Res>,
    ): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const name = String(call.metadata.get(nameHeader)[0] ?? '');
      run(call.request, name, abort.signal).then(
        (response) => callback(null, response),
        (error: unknown) => callback({ code: grpc.status.UNAVAILABLE, details: String(error) }),
      );
    };
  return {
    runOrchestrator: relay<pb.OrchestratorRequest, pb.OrchestratorResponse>((request, name, signal) =>
      hub.runOrchestrator(name, request, signal),
    ),
    runActivity: relay<pb.ActivityRequest, pb.ActivityResponse>((request, _name, signal) =>
      hub.runActivity(request, signal),
    ),
    runEntity: relay<pb.EntityBatchRequest, pb.EntityBatchResult>((request, name, signal) =>
      hub.runEntity(name, request, signal),
    ),
  } as unknown as grpc.UntypedServiceImplementation;
}

const RemoteWorkStub = grpc.makeGenericClientConstructor(remoteWorkService, 'RemoteWork');

/** The workers' side: remote work through the frontend at `address` (host:port). */
export class RemoteWorkClient implements RemoteWork {
  private readonly stub: grpc.Client;

  /**
   * `deadlineMs` bounds one episode call: above the hub's answer timeout (default 90 s). With auth on
   * at the frontend, `token` is a worker's bearer token; `credentials` give TLS (default plaintext).
   * `taskHub` names the task hub the work is for (the frontend's default hub when absent).
   */
  constructor(
    address: string,
    private readonly deadlineMs = 90_000,
    private readonly security: {
      readonly token?: string;
      readonly credentials?: grpc.ChannelCredentials;
      readonly taskHub?: string;
    } = {},
  ) {
    this.stub = new RemoteWorkStub(address, security.credentials ?? grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
    });
  }

  runOrchestrator(name: string, request: pb.OrchestratorRequest): Promise<pb.OrchestratorResponse> {
    const metadata = new grpc.Metadata();
    metadata.set(nameHeader, name);
    return this.call('runOrchestrator', request, metadata);
  }

  runActivity(request: pb.ActivityRequest): Promise<pb.ActivityResponse> {
    return this.call('runActivity', request, new grpc.Metadata());
  }

  runEntity(name: string, request: pb.EntityBatchRequest): Promise<pb.EntityBatchResult> {
    const metadata = new grpc.Metadata();
    metadata.set(nameHeader, name);
    return this.call('runEntity', request, metadata);
  }

  close(): void {
    this.stub.close();
  }

  private call<Res>(
    method: 'runOrchestrator' | 'runActivity' | 'runEntity',
    request: unknown,
    metadata: grpc.Metadata,
  ): Promise<Res> {
    if (this.security.token !== undefined) metadata.set('authorization', `Bearer ${this.security.token}`);
    if (this.security.taskHub !== undefined) metadata.set(taskHubMetadata, this.security.taskHub);
    return new Promise((resolve, reject) => {
      const invoke = (this.stub as unknown as Record<string, (...args: unknown[]) => void>)[method] as (
        ...args: unknown[]
      ) => void;
      // An episode fails fast while the frontend is unreachable, and within a deadline: its instance
      // is parked, not the partition. An activity may run for long and waits for the frontend.
      const options =
        method === 'runActivity' ? { waitForReady: true } : { deadline: Date.now() + this.deadlineMs };
      invoke.call(this.stub, request, metadata, options, (error: grpc.ServiceError | null, response: Res) =>
        error !== null
          ? reject(
              new WorkerUnavailableError(`remote work through the frontend failed: ${error.message}`, {
                cause: error,
              }),
            )
          : resolve(response),
      );
    });
  }
}
