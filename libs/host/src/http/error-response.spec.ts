import { BadRequestException, NotFoundException } from '@nestjs/common';
import {
  ConflictError,
  InstanceAlreadyExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  InvalidArgumentError,
  NonDeterminismError,
  OrchestratorNotRegisteredError,
  PayloadTooLargeError,
  UnavailableError,
} from '@durable/core';
import { errorResponse, HttpApiError } from './error-response';

describe('errorResponse', () => {
  it.each([
    [new InvalidArgumentError('bad'), 400],
    [new OrchestratorNotRegisteredError('X'), 404],
    [new InstanceNotFoundError('i'), 404],
    [new InstanceAlreadyExistsError('i'), 409],
    [new ConflictError('raced'), 409],
    [new InstanceFinishedError('i', 'Completed'), 410],
    [new PayloadTooLargeError(2, 1), 413],
    [new UnavailableError('busy'), 503],
  ])('answers %p with %i, its name and its message', (error, status) => {
    expect(errorResponse(error)).toEqual({
      status,
      body: { error: error.name, message: error.message },
      headers: status === 503 ? { 'Retry-After': '1' } : {},
      unexpected: false,
    });
  });

  it('tells a throttled client when to retry, in whole seconds', () => {
    expect(errorResponse(new UnavailableError('busy', 2500)).headers).toEqual({ 'Retry-After': '3' });
  });

  it('answers an HttpApiError with its own status and name', () => {
    expect(errorResponse(new HttpApiError(415, 'UnsupportedMediaType', 'gzip')).body).toEqual({
      error: 'UnsupportedMediaType',
      message: 'gzip',
    });
  });

  it("names Nest's 400 and 404 exceptions", () => {
    expect(errorResponse(new BadRequestException('URI malformed'))).toMatchObject({
      status: 400,
      body: { error: 'InvalidArgumentError', message: 'URI malformed' },
    });
    expect(errorResponse(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      body: { error: 'NotFound', message: 'Cannot GET /x' },
    });
  });

  it("answers body-parser's entity.too.large as 413 PayloadTooLargeError with the sizes", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
      type: 'entity.too.large',
      length: 2000,
      limit: 1000,
    });
    expect(errorResponse(tooLarge)).toEqual({
      status: 413,
      body: {
        error: 'PayloadTooLargeError',
        message: 'request body of 2000 bytes exceeds the limit of 1000 bytes',
      },
      headers: {},
      unexpected: false,
    });
  });

  it('answers any other exposed body-parser client error with its status', () => {
    const unsupported = Object.assign(new Error('unsupported charset "KOI8-R"'), {
      status: 415,
      expose: true,
    });
    expect(errorResponse(unsupported)).toMatchObject({
      status: 415,
      body: { error: 'UnsupportedMediaType', message: 'unsupported charset "KOI8-R"' },
    });
  });

  it.each([new Error('secret detail'), new NonDeterminismError('A', 'B'), 'thrown string', undefined])(
    'answers anything else (%p) as a generic 500 to log',
    (error) => {
      const answer = errorResponse(error);
      expect(answer).toMatchObject({ status: 500, body: { error: 'InternalServerError' }, unexpected: true });
      expect(answer.body.message).not.toContain('secret');
    },
  );
});
