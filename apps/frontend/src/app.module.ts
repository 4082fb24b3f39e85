import { Module, type Type } from '@nestjs/common';
import type { DashboardOidc } from '@durable/auth';
import { DashboardModule, DurableHttpModule, HealthModule } from '@durable/host';
import type { RetentionControl } from '@durable/retention';
import type { InstanceService } from '@durable/runtime';

/** What serves one task hub over HTTP. */
export interface FrontendTaskHub {
  readonly name: string;
  readonly client: InstanceService;
  readonly retention: RetentionControl;
}

/**
 * The frontend: the Durable Functions HTTP API over the task hubs (a request's `taskHub` picks one,
 * else the default), health, and the dashboard when built.
 */
export function appModule(
  defaultHub: FrontendTaskHub,
  otherHubs: readonly FrontendTaskHub[],
  maxPayloadBytes: number,
  dashboardDir?: string,
  dashboardOidc?: DashboardOidc,
): Type<unknown> {
  @Module({
    imports: [
      HealthModule.forApp('frontend'),
      DurableHttpModule.forRoot({
        instanceService: { useValue: defaultHub.client },
        taskHub: defaultHub.name,
        retention: defaultHub.retention,
        otherTaskHubs: otherHubs.map(({ name, client, retention }) => ({
          name,
          instances: client,
          retention,
        })),
        maxPayloadBytes,
      }),
      ...(dashboardDir !== undefined ? [DashboardModule.forRoot(dashboardDir, dashboardOidc)] : []),
    ],
  })
  class FrontendModule {}
  return FrontendModule;
}
