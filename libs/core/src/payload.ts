import { InvalidArgumentError } from './errors';

/**
 * Payloads travel as JSON text. `undefined` stays absent (no payload), everything else must be
 * JSON-serialisable; anything that is not gets a clear error instead of a silent `{}`.
 */
export function serializePayload(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(`payload is not JSON-serialisable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (text === undefined)
    throw new InvalidArgumentError(`payload of type ${typeof value} is not JSON-serialisable`);
  return text;
}

export function parsePayload<T = unknown>(text: string | undefined): T {
  if (text === undefined || text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new InvalidArgumentError(`payload is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Size in bytes of a payload as stored and sent (UTF-8). */
export function payloadSize(text: string | undefined): number {
  if (text === undefined) return 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
