// A single-node Kafka broker in KRaft mode for tests, benchmarks and local development: the
// org.apache.kafka:kafka_2.13 jars come from Maven Central (cached under .cache/kafka) and run on
// the machine's Java 17, bound to 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net';

export const kafkaVersion = '3.9.1';
const defaultCache = join(__dirname, '..', '..', '.cache', 'kafka');

/** Fetches the broker's jars once (mvn dependency:copy-dependencies); returns the jar folder. */
export function ensureKafkaJars(cacheDir = defaultCache): string {
  const libs = join(cacheDir, kafkaVersion, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  mkdirSync(join(cacheDir, kafkaVersion), { recursive: true });
  const pom = join(cacheDir, kafkaVersion, 'pom.xml');
  writeFileSync(
    pom,
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>durable.tools</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${kafkaVersion}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`,
  );
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libs}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    rmSync(libs, { recursive: true, force: true });
    throw new Error(
      `fetching the Kafka jars failed (mvn exit ${String(result.status)}):\n${result.stdout}${result.stderr}`,
    );
  }
  return libs;
}

export interface BrokerOptions {
  /** Broker port (default: a free one). */
  readonly port?: number;
  readonly cacheDir?: string;
  /** Where the broker keeps its data (default: a new temporary folder, deleted on stop). */
  readonly dataDir?: string;
  /**
   * Require SASL on the client listener (SASL_PLAINTEXT): PLAIN with these users, and OAUTHBEARER
   * with Kafka's built-in validator of unsecured (unsigned) JWTs, which stands in for Event Hubs'
   * Entra ID tokens. Unset, the listener is PLAINTEXT with no authentication.
   */
  readonly sasl?: { readonly users: Readonly<Record<string, string>> };
}

// The broker's own login for its inter-broker listener; never given to a client.
const brokerUser = 'broker';
const brokerPassword = 'broker-inter-broker-password';

/** A JAAS value inside a properties file; kept to characters that need escaping in neither. */
function jaasString(value: string): string {
  if (!/^[\w.+=/-]+$/.test(value)) throw new Error(`a SASL test user or password must match [\\w.+=/-]+`);
  return `"${value}"`;
}

function listenerProperties(port: number, controllerPort: number, options: BrokerOptions): string[] {
  const sasl = options.sasl;
  if (sasl === undefined)
    return [
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
    ];
  const users = Object.entries({ ...sasl.users, [brokerUser]: brokerPassword })
    .map(([user, password]) => `user_${jaasString(user).slice(1, -1)}=${jaasString(password)}`)
    .join(' ');
  return [
    `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'sasl.enabled.mechanisms=PLAIN,OAUTHBEARER',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule ' +
      `required username="${brokerUser}" password="${brokerPassword}" ${users};`,
    'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=' +
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";',
  ];
}

export class KafkaBroker {
  private constructor(
    private child: ChildProcess | undefined,
    private readonly dataDir: string,
    readonly port: number,
    private readonly classpath: string,
    private readonly properties: string,
  ) {}

  /** The broker's process id, for tests that stop it from outside. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** `host:port` for kafkajs' `brokers`. */
  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: BrokerOptions = {}): Promise<KafkaBroker> {
    const libs = ensureKafkaJars(options.cacheDir);
    const classpath = `${libs}/*`;
    const port = options.port ?? (await freePort());
    const controllerPort = await freePort();
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'durable-kafka-'));
    mkdirSync(dataDir, { recursive: true });
    const properties = join(dataDir, 'server.properties');
    writeFileSync(
      properties,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        ...listenerProperties(port, controllerPort, options),
        'controller.listener.names=CONTROLLER',
        `log.dirs=${join(dataDir, 'logs')}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=4',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
      ].join('\n'),
    );
    // Without a configuration log4j logs at DEBUG into no appender: the broker would format every
    // debug line (and each request as JSON) only to drop it. Brokers run at INFO or above.
    writeFileSync(
      join(dataDir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, stderr',
        'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stderr.Target=System.err',
        'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n',
      ].join('\n'),
    );
    const java = (args: string[]) => spawnSync('java', ['-cp', classpath, ...args], { encoding: 'utf8' });
    // A data folder kept from an earlier run (infra:up after a crash) is reused under its cluster id.
    const uuid =
      formattedClusterId(join(dataDir, 'logs')) ??
      java(['kafka.tools.StorageTool', 'random-uuid']).stdout.trim().split('\n').pop() ??
      '';
    const formatted = java([
      'kafka.tools.StorageTool',
      'format',
      '--ignore-formatted',
      '-t',
      uuid,
      '-c',
      properties,
    ]);
    if (formatted.status !== 0)
      throw new Error(`formatting Kafka storage failed:\n${formatted.stdout}${formatted.stderr}`);
    const broker = new KafkaBroker(undefined, dataDir, port, classpath, properties);
    await broker.launch();
    return broker;
  }

  /** Stops the broker process (as a crash would, with SIGKILL) and starts it again on the same data. */
  async restart(options: { kill?: boolean } = {}): Promise<void> {
    await this.halt(options.kill === true ? 'SIGKILL' : 'SIGTERM');
    await this.launch();
  }

  private async launch(): Promise<void> {
    // DURABLE_KAFKA_JVM_ARGS adds JVM flags (a flight recording, when profiling the benchmark).
    const jvmArgs = (process.env['DURABLE_KAFKA_JVM_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const log4j = `-Dlog4j.configuration=file:${join(this.dataDir, 'log4j.properties')}`;
    const child = spawn(
      'java',
      ['-Xmx512m', log4j, ...jvmArgs, '-cp', this.classpath, 'kafka.Kafka', this.properties],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 60_000;
    while (!(await isListening(this.port))) {
      if (child.exitCode !== null)
        throw new Error(`the Kafka broker exited with ${child.exitCode}:\n${stderr}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`the Kafka broker did not listen within 60 s:\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async halt(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the broker and deletes its data. */
  async stop(): Promise<void> {
    await this.halt('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The cluster id of a log folder the storage tool formatted already, if it is one. */
function formattedClusterId(logDir: string): string | undefined {
  const meta = join(logDir, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1]?.trim();
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
