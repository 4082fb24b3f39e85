import { type DynamicModule, Module } from '@nestjs/common';
import { APP_NAME, HealthController } from './health.controller';

@Module({})
export class HealthModule {
  static forApp(appName: string): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: APP_NAME, useValue: appName }],
    };
  }
}
