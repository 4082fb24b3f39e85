import { Readable } from 'node:stream';
import { jsonBody, readRequestBody, requestBodyText, type BodyRequest } from './request-body';

function request(chunks: ReadonlyArray<string | Buffer>, headers: Record<string, string> = {}): BodyRequest {
  return Object.assign(
    Readable.from(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))),
    {
      headers,
    },
  );
}

describe('readRequestBody', () => {
  it('reads the chunks as UTF-8 text', async () => {
    await expect(readRequestBody(request(['{"city":', '"Zürich"}']), 100)).resolves.toBe('{"city":"Zürich"}');
  });

  it('joins a multi-byte character split across chunks and drops a byte-order mark', async () => {
    const bytes = Buffer.from('\uFEFF"ü"');
    await expect(readRequestBody(request([bytes.subarray(0, 5), bytes.subarray(5)]), 100)).resolves.toBe(
      '"ü"',
    );
  });

  it('reads an empty body as an empty string', async () => {
    await expect(readRequestBody(request([]), 100)).resolves.toBe('');
  });

  it('accepts exactly the limit in bytes', async () => {
    await expect(readRequestBody(request(['"ü"']), 4)).resolves.toBe('"ü"');
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    const body = request(['x'.repeat(10)], { 'content-length': '10' });
    await expect(readRequestBody(body, 4)).rejects.toThrow(
      'payload of 10 bytes exceeds the limit of 4 bytes',
    );
  });

  it('refuses a streamed body as soon as it passes the limit', async () => {
    await expect(readRequestBody(request(['ab', 'cd', 'e', 'fgh']), 4)).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      message: 'request body exceeds the limit of 4 bytes',
    });
  });

  it('refuses a compressed body with 415', async () => {
    await expect(readRequestBody(request(['x'], { 'content-encoding': 'gzip' }), 100)).rejects.toMatchObject({
      status: 415,
      errorName: 'UnsupportedMediaType',
    });
  });

  it('refuses bytes that are not UTF-8', async () => {
    await expect(readRequestBody(request([Buffer.from([0x22, 0xff, 0x22])]), 100)).rejects.toThrow(
      'request body is not valid UTF-8 text',
    );
  });

  it('fails as a bad request when the stream breaks', async () => {
    const body = request([]);
    const reading = readRequestBody(body, 100);
    body.destroy(new Error('socket hang up'));
    await expect(reading).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      message: 'request body could not be read: socket hang up',
    });
  });
});

describe('requestBodyText', () => {
  it('takes text another parser already read, within the limit', async () => {
    await expect(requestBodyText(Object.assign(request([]), { body: '"hi"' }), 4)).resolves.toBe('"hi"');
    await expect(requestBodyText(Object.assign(request([]), { body: '"ü!"' }), 4)).rejects.toThrow(
      'payload of 5 bytes exceeds the limit of 4 bytes',
    );
  });

  it('takes bytes another parser already read', async () => {
    await expect(requestBodyText(Object.assign(request([]), { body: Buffer.from('[1]') }), 4)).resolves.toBe(
      '[1]',
    );
  });

  it('fails loudly when another parser turned the body into an object', async () => {
    await expect(requestBodyText(Object.assign(request([]), { body: { a: 1 } }), 4)).rejects.toThrow(
      /bodyParser: false/,
    );
  });
});

describe('jsonBody', () => {
  it('is undefined for an absent, empty or blank body', () => {
    expect(jsonBody(undefined)).toBeUndefined();
    expect(jsonBody('')).toBeUndefined();
    expect(jsonBody(' \n')).toBeUndefined();
  });

  it('passes valid JSON text through, trimmed', () => {
    expect(jsonBody(' {"a":1}\n')).toBe('{"a":1}');
    expect(jsonBody('null')).toBe('null');
  });

  it('refuses text that is not JSON, with the parser reason', () => {
    expect(() => jsonBody('{a:1}')).toThrow(/^request body is not valid JSON: /);
  });
});
