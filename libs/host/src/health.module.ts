import { type DynamicModule, Module } from '@nestjs/common';
import { APP_NAME, HealthController, READINESS, type Readiness } from './health.controller';
import { MetricsController } from './metrics.controller';

/** Health, readiness and GET /metrics: what every app serves to its supervisor. */
@Module({})
export class HealthModule {
  /** `readiness` defaults to always ready (apps that are ready once they listen). */
  static forApp(appName: string, readiness: Readiness = () => true): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_NAME, useValue: appName },
        { provide: READINESS, useValue: readiness },
      ],
    };
  }
}
