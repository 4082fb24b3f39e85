import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { requestBodyText, type BodyRequest } from './request-body';
import { DURABLE_HTTP_SETTINGS, type DurableHttpSettings } from './tokens';

const bodyRead = Symbol('durableBodyRead');

/** Leaves the request body on `req.body` as text, within the configured size limit. */
@Injectable()
export class RequestBodyMiddleware implements NestMiddleware {
  constructor(@Inject(DURABLE_HTTP_SETTINGS) private readonly settings: DurableHttpSettings) {}

  async use(req: BodyRequest & { [bodyRead]?: true }, _res: unknown, next: () => void): Promise<void> {
    // Nest may bind a middleware to several routes that match one request; read the body once.
    if (req[bodyRead] !== true) {
      req.body = await requestBodyText(req, this.settings.maxPayloadBytes);
      req[bodyRead] = true;
    }
    next();
  }
}
