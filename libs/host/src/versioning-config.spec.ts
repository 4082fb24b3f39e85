import { versioningFromEnv } from './versioning-config';

describe('versioningFromEnv', () => {
  it('is undefined when no versioning is set', () => {
    expect(versioningFromEnv({})).toBeUndefined();
  });

  it('reads the version, strategies (any case) and default version', () => {
    expect(
      versioningFromEnv({
        DURABLE_VERSION: '2.0',
        DURABLE_VERSION_MATCH: 'currentorolder',
        DURABLE_VERSION_FAILURE: 'Fail',
        DURABLE_DEFAULT_VERSION: '2.0',
      }),
    ).toEqual({
      version: '2.0',
      matchStrategy: 'CurrentOrOlder',
      failureStrategy: 'Fail',
      defaultVersion: '2.0',
    });
  });

  it('refuses an unknown strategy, and a match strategy without a version, with a reason', () => {
    expect(() => versioningFromEnv({ DURABLE_VERSION: '1', DURABLE_VERSION_MATCH: 'Newest' })).toThrow(
      "DURABLE_VERSION_MATCH must be one of None, Strict, CurrentOrOlder, got 'Newest'",
    );
    expect(() => versioningFromEnv({ DURABLE_VERSION_FAILURE: 'Retry' })).toThrow(/Reject, Fail/);
    expect(() => versioningFromEnv({ DURABLE_VERSION_MATCH: 'Strict' })).toThrow(/needs DURABLE_VERSION/);
  });
});
