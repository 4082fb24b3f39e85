import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { currentTelemetry } from './telemetry';

/** The Prometheus text format of the app's metrics (what a KEDA or Container Apps rule scrapes). */
@Controller('metrics')
export class MetricsController {
  @Get()
  metrics(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    const telemetry = currentTelemetry();
    if (telemetry === undefined) throw new NotFoundException('metrics are off in this process');
    telemetry.serveMetrics(request, response);
  }
}
