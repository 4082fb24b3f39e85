import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';

export const APP_NAME = Symbol('APP_NAME');
export const READINESS = Symbol('READINESS');

export interface HealthReport {
  readonly status: 'ok';
  readonly app: string;
}

/** Tells whether the app does its work yet (joined its group, connected its stores). */
export type Readiness = () => boolean;

/** Liveness and readiness for process supervisors and container probes. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_NAME) private readonly appName: string,
    @Inject(READINESS) private readonly readiness: Readiness,
  ) {}

  @Get()
  check(): HealthReport {
    return { status: 'ok', app: this.appName };
  }

  @Get('ready')
  ready(): HealthReport {
    if (!this.readiness()) throw new ServiceUnavailableException(`${this.appName} is starting`);
    return { status: 'ok', app: this.appName };
  }
}
