// Property-based fuzzing of the HTTP API from its own OpenAPI document with schemathesis (PyPI, in a
// virtual environment under .cache/, set up on first use), as an admin: no request makes it answer
// 5xx, every response (status, content type, headers, body) matches the document, requests that break
// the document are refused, and it is healthy after. Bounded by --max-examples to about a minute.
//
// One of schemathesis' checks is left out, for reasons the document cannot express:
// positive_data_acceptance wants every schema-valid request to succeed, but a well-formed request can
// still be refused by state (410 for a finished instance, an opaque continuation token that is not one
// of ours, purge of running instances).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type INestApplication, Module } from '@nestjs/common';
import { Authenticator, parseApiKeys } from '@durable/auth';
import { defineOrchestration, Registry } from '@durable/engine';
import { bootstrapApp } from '../bootstrap';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { HealthModule } from '../health.module';
import { DurableHttpModule } from './durable-http.module';

const schemathesis = 'schemathesis==4.32.5';
const root = resolve(__dirname, '../../../..');
const venv = join(root, '.cache', 'schemathesis', 'venv');
const st = join(venv, 'bin', 'st');
const adminKey = 'admin-key-for-the-fuzzer-0123';

jest.setTimeout(300_000);

function ensureVenv(): void {
  const marker = join(venv, `.installed-${schemathesis}`);
  if (existsSync(marker)) return;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(venv, { recursive: true });
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'pipe' });
  execFileSync(
    join(venv, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', schemathesis],
    {
      stdio: 'pipe',
      timeout: 240_000,
    },
  );
  writeFileSync(marker, '');
}

let dataDir: string;
let platform: EmbeddedPlatform;
let app: INestApplication;
let base: string;

beforeAll(async () => {
  ensureVenv();
  dataDir = mkdtempSync(join(tmpdir(), 'durable-fuzz-'));
  const registry = new Registry().add(defineOrchestration('Hello', async () => 'done'));
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 2 });
  @Module({
    imports: [
      HealthModule.forApp('frontend'),
      DurableHttpModule.forRoot({ instanceService: { useValue: platform.client } }),
    ],
  })
  class FuzzModule {}
  app = await bootstrapApp(FuzzModule, {
    port: 0,
    host: '127.0.0.1',
    logger: false,
    bodyParser: false,
    shutdownHooks: false,
    security: { authenticator: new Authenticator({ apiKeys: parseApiKeys(`admin:${adminKey}`, 'test') }) },
  });
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers every fuzzed request as its document says, with no 5xx, and stays healthy', async () => {
  const run = await promisify(execFile)(
    st,
    [
      'run',
      `${base}/openapi.json`,
      '--checks',
      'all',
      '--exclude-checks',
      'positive_data_acceptance',
      '--max-examples',
      '40',
      // The default 10 s per request is too little on a loaded CI machine; a hang still fails the run.
      '--request-timeout',
      '30',
      '--workers',
      '1',
      '--seed',
      '1',
      '-H',
      `Authorization: Bearer ${adminKey}`,
    ],
    // Run where its crash cache (.schemathesis/) stays out of the repository and out of later runs.
    { timeout: 240_000, cwd: dataDir, env: { ...process.env, NO_COLOR: '1' } },
  ).then(
    (result) => ({ code: 0, stdout: result.stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
  );
  expect([run.code, run.code === 0 ? '' : run.stdout.slice(-15000)]).toEqual([0, '']);
  // Every operation schemathesis found in the document was exercised.
  const total = /(\d+) selected \/ (\d+) total/.exec(run.stdout);
  expect(total?.[1]).toBe(total?.[2]);
  expect(Number(total?.[2])).toBeGreaterThanOrEqual(20);
  expect(run.stdout).toContain(`Tested: ${total?.[2]}`);
  expect((await fetch(`${base}/health/ready`)).status).toBe(200);
});
