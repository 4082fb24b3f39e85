import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { InvalidArgumentError, PayloadTooLargeError, payloadSize } from '@durable/core';
import { HttpApiError } from './error-response';

/** Default limit on request bodies (orchestration inputs, event data): 1 MiB. */
export const defaultMaxPayloadBytes = 1024 * 1024;

/** A request as a stream: Node's IncomingMessage, with whatever a parser before us left on it. */
export interface BodyRequest extends Readable {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  body?: unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidArgumentError('request body is not valid UTF-8 text');
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads the body as UTF-8 text, refusing more than `limit` bytes: at once when Content-Length says
 * so, otherwise as soon as the stream passes the limit. The rest of a refused body is drained, not
 * buffered, so the connection stays usable for the answer.
 */
export function readRequestBody(req: BodyRequest, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const refuse = (error: Error): void => {
      req.resume();
      reject(error);
    };
    const encoding = firstHeader(req.headers['content-encoding'])?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      refuse(
        new HttpApiError(415, 'UnsupportedMediaType', `content-encoding '${encoding}' is not supported`),
      );
      return;
    }
    const declared = Number(firstHeader(req.headers['content-length']));
    if (Number.isFinite(declared) && declared > limit) {
      refuse(new PayloadTooLargeError(declared, limit));
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      stop();
      const error = new PayloadTooLargeError(size, limit);
      error.message = `request body exceeds the limit of ${limit} bytes`;
      refuse(error);
    };
    const onEnd = (): void => {
      stop();
      try {
        resolve(decode(Buffer.concat(chunks, size)));
      } catch (error) {
        reject(error);
      }
    };
    const onError = (error: Error): void => {
      stop();
      reject(new InvalidArgumentError(`request body could not be read: ${error.message}`, { cause: error }));
    };
    const onClose = (): void => {
      stop();
      reject(new InvalidArgumentError('request body was cut off: the client closed the connection'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The body as text. A body another parser already read as text or bytes (`express.text/raw`) is
 * taken as it is, within the same limit; one already parsed into an object cannot be recovered, so
 * that is a configuration error.
 */
export async function requestBodyText(req: BodyRequest, limit: number): Promise<string> {
  const { body } = req;
  if (typeof body === 'string') {
    const size = payloadSize(body);
    if (size > limit) throw new PayloadTooLargeError(size, limit);
    return body;
  }
  if (Buffer.isBuffer(body)) {
    if (body.length > limit) throw new PayloadTooLargeError(body.length, limit);
    return decode(body);
  }
  if (body !== undefined || req.readableEnded) {
    throw new Error(
      'the request body was consumed by another body parser; create the app with { bodyParser: false } ' +
        '(bootstrapApp(module, { ..., bodyParser: false })) so the durable HTTP API reads it',
    );
  }
  return readRequestBody(req, limit);
}

/**
 * The body as orchestration input or event data: validated JSON text, or undefined when the body is
 * empty (no payload).
 */
export function jsonBody(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  try {
    JSON.parse(trimmed);
  } catch (error) {
    throw new InvalidArgumentError(`request body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return trimmed;
}
