import { Controller, Get, Req } from '@nestjs/common';
import type { HttpRequest } from './http-request';
import { openApiDocument } from './openapi';
import { durableBasePath } from './routes';
import { requestOrigin } from './urls';

/** The OpenAPI document, beside the API and at the conventional root address. */
@Controller()
export class OpenApiController {
  @Get(`${durableBasePath}/openapi.json`)
  document(@Req() req: HttpRequest): Readonly<Record<string, unknown>> {
    return openApiDocument(requestOrigin(req.headers, req.socket?.encrypted === true));
  }

  @Get('openapi.json')
  rootDocument(@Req() req: HttpRequest): Readonly<Record<string, unknown>> {
    return this.document(req);
  }
}
