import {
  type ClassProvider,
  type DynamicModule,
  type ExistingProvider,
  type FactoryProvider,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type OnModuleInit,
  type ValueProvider,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { TaskHubs } from '@durable/core';
import { retentionOff, type RetentionControl } from '@durable/retention';
import type { InstanceService } from '@durable/runtime';
import { DurableHttpExceptionFilter } from './durable-http-exception.filter';
import { EntitiesController } from './entities.controller';
import { InstanceCountsController } from './instance-counts.controller';
import { InstancesController } from './instances.controller';
import { OpenApiController } from './openapi.controller';
import { OrchestratorsController } from './orchestrators.controller';
import { defaultMaxPayloadBytes } from './request-body';
import { RequestBodyMiddleware } from './request-body.middleware';
import { RetentionController } from './retention.controller';
import { SchedulesController } from './schedules.controller';
import { WhoAmIController } from './whoami.controller';
import type { ServedTaskHub } from './task-hub';
import { DURABLE_HTTP_SETTINGS, INSTANCE_SERVICE, TASK_HUBS, type DurableHttpSettings } from './tokens';

/** How to get the InstanceService: any Nest provider shape, without `provide`. */
export type InstanceServiceProvider =
  | Omit<ValueProvider<InstanceService>, 'provide'>
  | Omit<ClassProvider<InstanceService>, 'provide'>
  | Omit<FactoryProvider<InstanceService>, 'provide'>
  | Omit<ExistingProvider<InstanceService>, 'provide'>;

export interface DurableHttpModuleOptions {
  /** The default task hub's instances: requests that name no `taskHub`. */
  readonly instanceService: InstanceServiceProvider;
  /** The default task hub's name (default `durable`). */
  readonly taskHub?: string;
  /** Further task hubs, chosen by a request's `taskHub` query parameter. */
  readonly otherTaskHubs?: ReadonlyArray<ServedTaskHub & { readonly name: string }>;
  /** Largest accepted request body in bytes; default 1 MiB (1048576). */
  readonly maxPayloadBytes?: number;
  /** The default task hub's automatic purge `/retention` shows and runs; off when not given. */
  readonly retention?: RetentionControl;
  /** Modules that provide what an `instanceService` factory, class or alias injects. */
  readonly imports?: ModuleMetadata['imports'];
}

// Nest's default parsers would read the body first (JSON up to 100 KB, and `curl -d`'s urlencoded
// bodies into objects), so the configured limit and the raw JSON text would be lost.
const nestBodyParsers = ['jsonParser', 'urlencodedParser'];

/**
 * The Durable Functions HTTP management API under `/runtime/webhooks/durabletask`, plus its OpenAPI
 * document. The module reads request bodies itself: create the app with `{ bodyParser: false }`
 * (`bootstrapApp(module, { ..., bodyParser: false })`); it refuses to start otherwise.
 */
@Module({})
export class DurableHttpModule implements NestModule, OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  static forRoot(options: DurableHttpModuleOptions): DynamicModule {
    const maxPayloadBytes = options.maxPayloadBytes ?? defaultMaxPayloadBytes;
    if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
      throw new RangeError(`maxPayloadBytes must be a positive integer, got ${maxPayloadBytes}`);
    }
    const settings: DurableHttpSettings = { maxPayloadBytes };
    return {
      module: DurableHttpModule,
      imports: options.imports ?? [],
      controllers: [
        OrchestratorsController,
        InstancesController,
        InstanceCountsController,
        EntitiesController,
        OpenApiController,
        WhoAmIController,
        RetentionController,
        SchedulesController,
      ],
      providers: [
        { ...options.instanceService, provide: INSTANCE_SERVICE } as FactoryProvider<InstanceService>,
        { provide: DURABLE_HTTP_SETTINGS, useValue: settings },
        {
          provide: TASK_HUBS,
          useFactory: (instances: InstanceService): TaskHubs<ServedTaskHub> => {
            const name = options.taskHub ?? 'durable';
            const retention = options.retention ?? retentionOff;
            return new TaskHubs<ServedTaskHub>(name, [
              [name, { instances, retention }],
              ...(options.otherTaskHubs ?? []).map(({ name: other, ...served }) => [other, served] as const),
            ]);
          },
          inject: [INSTANCE_SERVICE],
        },
        { provide: APP_FILTER, useClass: DurableHttpExceptionFilter },
        RequestBodyMiddleware,
      ],
      exports: [INSTANCE_SERVICE],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequestBodyMiddleware)
      .forRoutes(OrchestratorsController, InstancesController, EntitiesController, SchedulesController);
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as
      { isMiddlewareApplied?(name: string): boolean } | undefined;
    if (nestBodyParsers.some((name) => adapter?.isMiddlewareApplied?.(name) === true)) {
      throw new Error(
        "DurableHttpModule reads request bodies itself, but Nest's body parser is on: create the app with " +
          '{ bodyParser: false } (bootstrapApp(module, { ..., bodyParser: false }))',
      );
    }
  }
}
