import { Controller, Get, Inject } from '@nestjs/common';

export const APP_NAME = Symbol('APP_NAME');

export interface HealthReport {
  readonly status: 'ok';
  readonly app: string;
}

/** Liveness for process supervisors and container probes. */
@Controller('health')
export class HealthController {
  constructor(@Inject(APP_NAME) private readonly appName: string) {}

  @Get()
  check(): HealthReport {
    return { status: 'ok', app: this.appName };
  }
}
