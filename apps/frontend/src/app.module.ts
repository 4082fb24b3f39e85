import { Module, type Type } from '@nestjs/common';
import { DashboardModule, DurableHttpModule, HealthModule } from '@durable/host';
import type { RetentionControl } from '@durable/retention';
import type { InstanceService } from '@durable/runtime';

/** The frontend: the Durable Functions HTTP API over an instance service, health, and the dashboard when built. */
export function appModule(
  instanceService: InstanceService,
  maxPayloadBytes: number,
  dashboardDir?: string,
  retention?: RetentionControl,
): Type<unknown> {
  @Module({
    imports: [
      HealthModule.forApp('frontend'),
      DurableHttpModule.forRoot({
        instanceService: { useValue: instanceService },
        maxPayloadBytes,
        ...(retention !== undefined ? { retention } : {}),
      }),
      ...(dashboardDir !== undefined ? [DashboardModule.forRoot(dashboardDir)] : []),
    ],
  })
  class FrontendModule {}
  return FrontendModule;
}
