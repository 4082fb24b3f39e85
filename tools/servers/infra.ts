// `npm run infra:up` / `npm run infra:down`: a Kafka broker (127.0.0.1:9092) and the Cosmos DB
// protocol server (https://127.0.0.1:8081) for local distributed development, run in the
// background by a small supervisor process; its state and logs live in .durable-infra/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosmosTestKey, CosmosServer } from './cosmos-server';
import { KafkaBroker } from './kafka-broker';

const root = join(__dirname, '..', '..');
const stateDir = join(root, '.durable-infra');
const stateFile = join(stateDir, 'state.json');

interface State {
  readonly pid: number;
  /** The broker's Java process: it outlives a supervisor that was killed. */
  readonly brokerPid?: number;
  readonly env: Record<string, string>;
}

const readState = (): State | undefined =>
  existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State) : undefined;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** After a crash of the supervisor its broker may still hold the port: stop it (its data is kept). */
async function stopOrphanBroker(state: State | undefined): Promise<void> {
  const pid = state?.brokerPid;
  if (pid === undefined || !alive(pid)) return;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!command.includes('kafka.Kafka')) return; // the id was reused by another process
  process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 200));
}

const printEnv = (env: Record<string, string>): void => {
  console.log('Kafka and Cosmos DB are running. Start the apps with:');
  for (const [name, value] of Object.entries(env)) console.log(`  export ${name}='${value}'`);
  console.log(
    'then: npm run build, and node dist/apps/<app>/main.js (frontend, orchestration-worker, activity-worker)',
  );
};

async function up(): Promise<void> {
  const running = readState();
  if (running !== undefined && alive(running.pid)) {
    printEnv(running.env);
    return;
  }
  await stopOrphanBroker(running);
  mkdirSync(stateDir, { recursive: true });
  rmSync(stateFile, { force: true });
  const log = openSync(join(stateDir, 'infra.log'), 'a');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', __filename, 'serve'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  const deadline = Date.now() + 180_000;
  while (readState() === undefined) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the servers did not start; see ${join('.durable-infra', 'infra.log')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  printEnv((readState() as State).env);
}

async function serve(): Promise<void> {
  const broker = await KafkaBroker.start({ port: 9092, dataDir: join(stateDir, 'kafka') });
  const cosmos = await CosmosServer.start({ port: 8081 });
  const env = {
    DURABLE_MODE: 'distributed',
    KAFKA_BROKERS: broker.brokers,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmosTestKey,
    COSMOS_ALLOW_SELF_SIGNED: 'true',
    TASK_HUB: 'durable',
  };
  const state: State = { pid: process.pid, brokerPid: broker.pid, env };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const stop = async (): Promise<void> => {
    await cosmos.stop();
    await broker.stop();
    rmSync(stateFile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

async function down(): Promise<void> {
  const state = readState();
  if (state === undefined || !alive(state.pid)) {
    await stopOrphanBroker(state);
    rmSync(stateFile, { force: true });
    console.log('nothing is running');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  while (alive(state.pid)) await new Promise((resolve) => setTimeout(resolve, 200));
  console.log('stopped Kafka and Cosmos DB');
}

const command = process.argv[2];
const run = command === 'up' ? up : command === 'down' ? down : command === 'serve' ? serve : undefined;
if (run === undefined) {
  console.error('usage: infra.ts up|down');
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
