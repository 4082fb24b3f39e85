import { type ArgumentsHost, Catch, type ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { allowedMethods } from './allowed-methods';
import { errorResponse, type ErrorResponse } from './error-response';
import { requestUrl, type HttpRequest } from './http-request';
import { isDurableApiPath } from './routes';

/**
 * Answers every failure of a durable HTTP API request as `{ error, message }` with the status
 * Durable Functions uses. It is registered app-wide, because body-parser and routing errors reach
 * only global filters, and leaves requests to other routes to Nest's default handling.
 */
@Catch()
export class DurableHttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('DurableHttpApi');
  private fallback: BaseExceptionFilter | undefined;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const request = host.switchToHttp().getRequest<HttpRequest & { method?: string }>();
    const response: unknown = host.switchToHttp().getResponse();
    if (host.getType() !== 'http' || !isDurableApiPath(requestUrl(request))) {
      this.fallback ??= new BaseExceptionFilter(adapter);
      this.fallback.catch(exception, host);
      return;
    }
    const answer = methodNotAllowed(exception, request) ?? errorResponse(exception);
    if (answer.unexpected) {
      this.logger.error(
        `${request.method ?? ''} ${requestUrl(request)} failed`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (adapter.isHeadersSent(response)) {
      adapter.end(response);
      return;
    }
    for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, answer.body, answer.status);
  }
}

/** Routing found no handler, but the path is the document's under other methods: 405 with `Allow`. */
function methodNotAllowed(
  exception: unknown,
  request: HttpRequest & { method?: string },
): ErrorResponse | undefined {
  if (!(exception instanceof NotFoundException)) return undefined;
  const url = requestUrl(request);
  const method = (request.method ?? '').toUpperCase();
  const allowed = allowedMethods(url);
  if (allowed === undefined || allowed.includes(method)) return undefined;
  return {
    status: 405,
    body: {
      error: 'MethodNotAllowed',
      message: `${method} is not allowed on ${url.split('?', 1)[0] ?? ''}; allowed: ${allowed.join(', ')}`,
    },
    headers: { Allow: allowed.join(', ') },
    unexpected: false,
  };
}
