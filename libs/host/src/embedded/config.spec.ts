import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedHubDataDir } from '../task-hubs';
import { embeddedConfigFromEnv } from './config';
import { loadRegistry } from './user-app';

describe('embedded settings from the environment', () => {
  it('defaults to loopback, port 7071, ./.durable and 12 partitions', () => {
    expect(embeddedConfigFromEnv({}, '/srv/app')).toEqual({
      port: 7071,
      host: '127.0.0.1',
      dataDir: join('/srv/app', '.durable'),
      partitions: 12,
      appModule: undefined,
      maxPayloadBytes: 1024 * 1024,
      logLevel: 'info',
      retention: undefined,
      taskHubs: { defaultHub: 'durable', hubs: ['durable'] },
    });
  });

  it('serves the task hubs of TASK_HUBS, the default hub TASK_HUB first, each name once', () => {
    expect(
      embeddedConfigFromEnv({ TASK_HUB: 'orders', TASK_HUBS: 'billing, ORDERS,shipping' }, '/srv').taskHubs,
    ).toEqual({
      defaultHub: 'orders',
      hubs: ['orders', 'billing', 'shipping'],
    });
    expect(() => embeddedConfigFromEnv({ TASK_HUBS: 'a,b,A' }, '/srv')).toThrow(
      "TASK_HUBS lists 'A' twice (names compare without case)",
    );
    expect(() => embeddedConfigFromEnv({ TASK_HUBS: 'a,b c' }, '/srv')).toThrow(
      "TASK_HUBS entries must be letters, digits and dashes (up to 41), starting with a letter, got 'b c'",
    );
  });

  it('keeps the default hub in the data directory and every other hub below hubs/', () => {
    const settings = { defaultHub: 'orders', hubs: ['orders', 'Billing'] };
    expect(embeddedHubDataDir('/data', 'orders', settings)).toBe('/data');
    expect(embeddedHubDataDir('/data', 'Billing', settings)).toBe(join('/data', 'hubs', 'billing'));
  });

  it('refuses bad values with the name of the setting', () => {
    expect(() => embeddedConfigFromEnv({ PARTITION_COUNT: '0' }, '/srv')).toThrow(
      "PARTITION_COUNT must be an integer from 1 to 1024, got '0'",
    );
    expect(() => embeddedConfigFromEnv({ PORT: 'x' }, '/srv')).toThrow('PORT must be an integer');
    expect(() => embeddedConfigFromEnv({ DURABLE_LOG_LEVEL: 'loud' }, '/srv')).toThrow('DURABLE_LOG_LEVEL');
  });
});

describe('loading the app module', () => {
  it('loads the registry a module exports', async () => {
    const registry = await loadRegistry(join(__dirname, '..', '..', '..', '..', 'samples', 'index.ts'));
    expect(registry.orchestratorNames).toContain('HelloSequence');
  });

  it('accepts a registry made by another copy of the engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-app-'));
    try {
      const file = join(dir, 'app.js');
      // What another copy of @durable/engine's Registry looks like from here: same shape, other class.
      writeFileSync(
        file,
        `class Registry {
           getOrchestrator(name) { return name === 'Hello' ? async () => 'hi' : undefined; }
           getActivity() { return undefined; }
           getEntity() { return undefined; }
           get orchestratorNames() { return ['Hello']; }
           get activityNames() { return []; }
           get entityNames() { return []; }
         }
         exports.registry = new Registry();`,
      );
      const registry = await loadRegistry(file);
      expect(registry.orchestratorNames).toEqual(['Hello']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains a module that cannot be loaded or exports no registry', async () => {
    await expect(loadRegistry(join(__dirname, 'no-such-module.ts'))).rejects.toThrow(
      'cannot load the app module',
    );
    await expect(loadRegistry(join(__dirname, 'config.ts'))).rejects.toThrow("must export 'registry'");
  });
});
