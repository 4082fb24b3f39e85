import { Module } from '@nestjs/common';
import { HealthModule } from '@durable/host';

@Module({ imports: [HealthModule.forApp('frontend')] })
export class AppModule {}
