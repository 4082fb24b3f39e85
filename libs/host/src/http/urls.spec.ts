import { isDurableApiPath } from './routes';
import { apiBaseUrl, checkStatusPayload, requestOrigin } from './urls';

describe('requestOrigin', () => {
  it('uses the Host header and the socket scheme', () => {
    expect(requestOrigin({ host: 'localhost:7071' }, false)).toBe('http://localhost:7071');
    expect(requestOrigin({ host: 'localhost:7071' }, true)).toBe('https://localhost:7071');
  });

  it('prefers X-Forwarded-Proto and X-Forwarded-Host, taking the first of a list', () => {
    const headers = {
      host: 'internal:80',
      'x-forwarded-proto': 'https, http',
      'x-forwarded-host': 'api.example.com, proxy',
    };
    expect(requestOrigin(headers, false)).toBe('https://api.example.com');
  });

  it('ignores a forwarded scheme other than http or https', () => {
    expect(requestOrigin({ host: 'h', 'x-forwarded-proto': 'javascript' }, false)).toBe('http://h');
  });

  it('ignores host values that are not a host name and port, falling back to localhost', () => {
    expect(requestOrigin({ host: 'good:1', 'x-forwarded-host': 'evil.com/phish?' }, false)).toBe(
      'http://good:1',
    );
    expect(requestOrigin({ host: 'user@evil.com' }, false)).toBe('http://localhost');
    expect(requestOrigin({}, false)).toBe('http://localhost');
  });

  it('accepts a bracketed IPv6 host', () => {
    expect(requestOrigin({ host: '[::1]:7071' }, false)).toBe('http://[::1]:7071');
  });
});

describe('apiBaseUrl', () => {
  it('is the origin and the durable base path', () => {
    expect(apiBaseUrl('http://h', '/runtime/webhooks/durabletask/orchestrators/Hello?x=1')).toBe(
      'http://h/runtime/webhooks/durabletask',
    );
  });

  it('keeps a global prefix in front of the base path', () => {
    expect(apiBaseUrl('http://h', '/api/v1/runtime/webhooks/durabletask/instances/a')).toBe(
      'http://h/api/v1/runtime/webhooks/durabletask',
    );
  });
});

describe('checkStatusPayload', () => {
  it('lists the management URLs of the instance with {eventName} and {text} placeholders', () => {
    const base = 'http://h/runtime/webhooks/durabletask';
    expect(checkStatusPayload(base, 'a/b c')).toEqual({
      id: 'a/b c',
      statusQueryGetUri: `${base}/instances/a%2Fb%20c`,
      sendEventPostUri: `${base}/instances/a%2Fb%20c/raiseEvent/{eventName}`,
      terminatePostUri: `${base}/instances/a%2Fb%20c/terminate?reason={text}`,
      rewindPostUri: `${base}/instances/a%2Fb%20c/rewind?reason={text}`,
      purgeHistoryDeleteUri: `${base}/instances/a%2Fb%20c`,
      restartPostUri: `${base}/instances/a%2Fb%20c/restart`,
      suspendPostUri: `${base}/instances/a%2Fb%20c/suspend?reason={text}`,
      resumePostUri: `${base}/instances/a%2Fb%20c/resume?reason={text}`,
    });
  });
});

describe('isDurableApiPath', () => {
  it('matches the API, with or without a prefix, and the root OpenAPI document', () => {
    expect(isDurableApiPath('/runtime/webhooks/durabletask/instances?top=1')).toBe(true);
    expect(isDurableApiPath('/api/runtime/webhooks/durabletask/openapi.json')).toBe(true);
    expect(isDurableApiPath('/openapi.json')).toBe(true);
  });

  it('does not match other routes', () => {
    expect(isDurableApiPath('/health')).toBe(false);
    expect(isDurableApiPath('/health?next=/runtime/webhooks/durabletask')).toBe(false);
  });
});
