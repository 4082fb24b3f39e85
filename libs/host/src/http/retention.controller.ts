import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import type { RetentionControl, RetentionState, SweepResult } from '@durable/retention';
import { durableBasePath } from './routes';
import { RETENTION } from './tokens';

/** `/retention`: the automatic purge of finished instances, as configured, and a sweep on demand. */
@Controller(`${durableBasePath}/retention`)
export class RetentionController {
  constructor(@Inject(RETENTION) private readonly retention: RetentionControl) {}

  @Get()
  state(): RetentionState {
    return this.retention.state();
  }

  @Post('sweep')
  @HttpCode(200)
  sweep(): Promise<SweepResult> {
    return this.retention.sweep();
  }
}
