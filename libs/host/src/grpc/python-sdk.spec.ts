// The official Durable Task Python SDK (`durabletask` from PyPI, unchanged) against the embedded
// product's gRPC endpoint. The setup installs the SDK into a virtual environment under .cache/
// (git-ignored) on first use and reuses it after.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

/** The SDK version the tests pin (README: tested SDK versions). */
const pythonSdk = 'durabletask==1.12.0';

const root = resolve(__dirname, '../../../..');
const venv = join(root, '.cache', 'python-sdk', 'venv');
const python = join(venv, 'bin', 'python');

jest.setTimeout(180_000);

function ensureVenv(): void {
  const marker = join(venv, `.installed-${pythonSdk}`);
  if (existsSync(marker)) return;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(venv, { recursive: true });
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'pipe' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', pythonSdk], {
    stdio: 'pipe',
    timeout: 150_000,
  });
  writeFileSync(marker, '');
}

let dataDir: string;
let platform: EmbeddedPlatform;
// A second task hub, chosen by the `taskhub` call metadata.
let billing: EmbeddedPlatform;
let grpc: GrpcFrontend;

beforeAll(async () => {
  ensureVenv();
  dataDir = mkdtempSync(join(tmpdir(), 'durable-python-'));
  const hub = new WorkItemHub();
  const billingHub = new WorkItemHub();
  platform = await EmbeddedPlatform.start({ dataDir, registry: new Registry(), partitions: 4, remote: hub });
  billing = await EmbeddedPlatform.start({
    dataDir: join(dataDir, 'billing'),
    registry: new Registry(),
    partitions: 2,
    remote: billingHub,
  });
  grpc = await GrpcFrontend.start({
    client: platform.client,
    hub,
    otherTaskHubs: [{ name: 'billing', client: billing.client, hub: billingHub }],
    host: '127.0.0.1',
    port: 0,
  });
});

afterAll(async () => {
  await grpc?.stop();
  await billing?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the official Python SDK over gRPC (embedded)', () => {
  it('runs a sequence and a fan-out/fan-in on the Python worker', async () => {
    const { stdout } = await promisify(execFile)(
      python,
      [join(root, 'test', 'python', 'sdk_smoke.py'), `127.0.0.1:${grpc.port}`],
      { timeout: 120_000 },
    );
    const lastLine = stdout.trim().split('\n').pop() ?? '';
    expect(JSON.parse(lastLine)).toEqual({
      sequence: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      fanOut: 2870,
    });
  });

  it('runs in the task hub its taskhub metadata names, unseen by the default hub', async () => {
    const before = (await platform.client.list({})).instances.length;
    const { stdout } = await promisify(execFile)(
      python,
      [join(root, 'test', 'python', 'sdk_smoke.py'), `127.0.0.1:${grpc.port}`, 'billing'],
      { timeout: 120_000 },
    );
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '')).toEqual({
      sequence: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      fanOut: 2870,
    });
    const inBilling = (await billing.client.list({})).instances;
    expect(inBilling.map((i) => i.name).sort()).toEqual(['py_fan_out', 'py_sequence']);
    expect((await platform.client.list({})).instances).toHaveLength(before);
  });
});
