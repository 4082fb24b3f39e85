import { TestHost } from '@durable/engine/testing';
import { registry } from './index';

describe('sample orchestrations', () => {
  const run = async (name: string, input?: unknown, events: Array<[string, unknown]> = []) => {
    const host = new TestHost(registry);
    const id = host.start(name, input);
    for (const [event, data] of events) host.raiseEvent(id, event, data);
    await host.run();
    return host.state(id);
  };

  it('greets three cities in order', async () => {
    expect((await run('HelloSequence')).output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('sums the squares of 1..n', async () => {
    expect((await run('FanOutFanIn', 10)).output).toBe(385);
  });

  it('reports approved, rejected or timed out', async () => {
    expect((await run('Approval', { timeoutSeconds: 5 }, [['Approval', true]])).output).toBe('approved');
    expect((await run('Approval', { timeoutSeconds: 5 }, [['Approval', false]])).output).toBe('rejected');
    expect((await run('Approval', { timeoutSeconds: 5 })).output).toBe('timed out');
  });

  it('succeeds on the third attempt of a flaky activity', async () => {
    expect((await run('RetryingGreeting', 'Ada')).output).toBe('Hello Ada, on attempt 3!');
  });
});
