import { Module, type Type } from '@nestjs/common';
import { DurableHttpModule, HealthModule } from '@durable/host';
import type { InstanceService } from '@durable/runtime';

/** The frontend: the Durable Functions HTTP API over an instance service, plus health. */
export function appModule(instanceService: InstanceService, maxPayloadBytes: number): Type<unknown> {
  @Module({
    imports: [
      HealthModule.forApp('frontend'),
      DurableHttpModule.forRoot({ instanceService: { useValue: instanceService }, maxPayloadBytes }),
    ],
  })
  class FrontendModule {}
  return FrontendModule;
}
