import * as grpc from '@grpc/grpc-js';
import type { Authenticator } from '@durable/auth';
import { TaskHubs } from '@durable/core';
import { silentLogger, type Logger } from '@durable/engine';
import type { InstanceService } from '@durable/runtime';
import { connectionLimitOptions, deadlineCappedHandlers, type GrpcCallLimits } from './call-limits';
import { authorizedHandlers } from './grpc-auth';
import { remoteWorkHandlers, remoteWorkService } from './remote-work-bridge';
import { sidecarHandlers, sidecarService } from './sidecar-service';
import { taskHubHandlers } from './task-hub';
import { WorkItemHub } from './work-item-hub';

/** What serves one task hub over gRPC. */
export interface GrpcTaskHub {
  readonly client: InstanceService;
  /** The hub remote workers connect to; the executors of this task hub dispatch through it. */
  readonly hub: WorkItemHub;
}

export interface GrpcFrontendOptions extends GrpcTaskHub {
  /** The default task hub's name (default `durable`): calls without `taskhub` metadata are for it. */
  readonly taskHub?: string;
  /** Further task hubs, chosen by a call's `taskhub` metadata. */
  readonly otherTaskHubs?: ReadonlyArray<GrpcTaskHub & { readonly name: string }>;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger?: Logger;
  /** Largest message accepted (default 16 MiB: histories travel whole to workers). */
  readonly maxMessageBytes?: number;
  /** Checks every call's `authorization` metadata against the access table; absent: open. */
  readonly authenticator?: Authenticator;
  /** Serve TLS with this certificate and key (PEM); with `clientCa`, clients must present a certificate it signed. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly clientCa?: Buffer };
  /** Streams one client connection may have open at once (default 256), so one client cannot exhaust the server. */
  readonly maxConcurrentStreams?: number;
  /** Caps on call time, idle connections and unanswered pings (see GrpcCallLimits for defaults). */
  readonly limits?: GrpcCallLimits;
}

/** Serves `TaskHubSidecarService` (the Durable Task protocol) on one port. */
export class GrpcFrontend {
  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
    private readonly hubs: readonly WorkItemHub[],
  ) {}

  static async start(options: GrpcFrontendOptions): Promise<GrpcFrontend> {
    const max = options.maxMessageBytes ?? 16 * 1024 * 1024;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': max,
      'grpc.max_send_message_length': max,
      'grpc.max_concurrent_streams': options.maxConcurrentStreams ?? 256,
      // Wait RPCs and work-item streams stay open for long; keep the connection alive under them.
      'grpc.keepalive_permit_without_calls': 1,
      ...connectionLimitOptions(options.limits ?? {}),
    });
    const guard = (definition: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation) =>
      options.authenticator === undefined
        ? handlers
        : authorizedHandlers(definition, handlers, options.authenticator);
    // The time cap is outermost, so that it also bounds authorization (a slow JWKS endpoint). Not on
    // RemoteWork: its calls last as long as the activity they relay, and only workers may make them.
    const capped = (definition: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation) =>
      deadlineCappedHandlers(definition, guard(definition, handlers), options.limits?.maxCallMs);
    const logger = options.logger ?? silentLogger;
    const defaultHub = options.taskHub ?? 'durable';
    const served: Array<readonly [string, GrpcTaskHub]> = [
      [defaultHub, options],
      ...(options.otherTaskHubs ?? []).map((other) => [other.name, other] as const),
    ];
    const perHub = (make: (served: GrpcTaskHub) => grpc.UntypedServiceImplementation) =>
      new TaskHubs(
        defaultHub,
        served.map(([name, hub]) => [name, make(hub)] as const),
      );
    server.addService(
      sidecarService,
      capped(
        sidecarService,
        taskHubHandlers(
          sidecarService,
          perHub(({ client, hub }) => sidecarHandlers({ client, hub, logger })),
        ),
      ),
    );
    // Instances parked for want of a worker run as soon as one that serves them connects.
    for (const [, { client, hub }] of served) {
      const wake = client.wake?.bind(client);
      if (wake !== undefined)
        hub.onWorkAvailable((ids) =>
          wake(ids).catch((error: unknown) =>
            logger.warn('waking parked instances failed; their retry timer will', { error: String(error) }),
          ),
        );
    }
    // Worker processes of the distributed mode hand their remote work items to the hub they name.
    server.addService(
      remoteWorkService,
      guard(
        remoteWorkService,
        taskHubHandlers(
          remoteWorkService,
          perHub(({ hub }) => remoteWorkHandlers(hub)),
        ),
      ),
    );
    const tls = options.tls;
    const credentials =
      tls === undefined
        ? grpc.ServerCredentials.createInsecure()
        : grpc.ServerCredentials.createSsl(
            tls.clientCa ?? null,
            [{ cert_chain: tls.cert, private_key: tls.key }],
            tls.clientCa !== undefined,
          );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${options.host}:${options.port}`, credentials, (error, bound) =>
        error !== null ? reject(error) : resolve(bound),
      ),
    );
    return new GrpcFrontend(
      server,
      port,
      served.map(([, { hub }]) => hub),
    );
  }

  /** Ends the worker streams (their open work items go back to the log), then the server. */
  async stop(): Promise<void> {
    for (const hub of this.hubs) hub.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export { WorkItemHub };
