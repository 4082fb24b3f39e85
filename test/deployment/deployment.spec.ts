// The deployment files agree with each other and with the apps' build targets: each Dockerfile
// runs the output its project.json declares, compose wires the images by environment, and the
// Bicep file deploys the three apps with a Kafka-lag scale rule per worker. Nothing here needs
// Docker or Azure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { authenticatorFromEnv } from '@durable/auth';

const root = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

const apps = ['frontend', 'orchestration-worker', 'activity-worker'] as const;
type App = (typeof apps)[number];

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

/** The stages of a Dockerfile, with continuation lines joined and comments dropped. */
function stagesOf(dockerfile: string): Stage[] {
  const stages: Stage[] = [];
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [base = '', as, name] = args.split(/\s+/);
      stages.push({
        base,
        name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length),
        instructions: [],
      });
    } else {
      const stage = stages[stages.length - 1];
      if (stage === undefined) throw new Error(`'${line}' comes before the first FROM`);
      stage.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

const runs = (stage: Stage): string[] =>
  stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

/** The stage that FROM-builds on another inherits its instructions (e.g. prod-deps FROM toolchain). */
function lineage(stages: Stage[], stage: Stage): Stage[] {
  const parent = stages.find((s) => s.name === stage.base);
  return parent === undefined ? [stage] : [...lineage(stages, parent), stage];
}

/** `dist/apps/<app>`: the output that the app's build target declares. */
function buildOutput(app: App): string {
  const project = JSON.parse(read(`apps/${app}/project.json`)) as {
    targets: Record<string, { outputs?: string[] }>;
  };
  const outputs = project.targets['build']?.outputs ?? [];
  expect(outputs).toHaveLength(1);
  return outputs[0]!.replace('{workspaceRoot}/', '');
}

describe.each(apps)('the %s image', (app) => {
  const stages = stagesOf(read(`docker/${app}.Dockerfile`));
  const runtime = stages[stages.length - 1]!;
  const output = buildOutput(app);
  const last = (keyword: string): string | undefined =>
    runtime.instructions.filter((i) => i.keyword === keyword).pop()?.args;

  it("declares a build output that the app's tsconfig.app.json writes to", () => {
    expect(output).toBe(`dist/apps/${app}`);
    const tsconfig = JSON.parse(read(`apps/${app}/tsconfig.app.json`)) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    const outDir = resolve(root, 'apps', app, tsconfig.compilerOptions.outDir);
    expect(relative(root, outDir).split('\\').join('/')).toBe(output);
    expect(resolve(root, 'apps', app, tsconfig.compilerOptions.rootDir)).toBe(resolve(root));
  });

  it('builds in a stage that installs every dependency and runs npm run build', () => {
    const build = stages.find((stage) =>
      lineage(stages, stage).some((s) => runs(s).some((r) => /\bnpm run build\b/.test(r))),
    );
    expect(build).toBeDefined();
    const installs = lineage(stages, build!).flatMap(runs);
    expect(installs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(JSON.parse(read('package.json')).scripts.build).toBe('nx run-many -t build');
  });

  it('runs on production dependencies only, installed with npm ci --omit=dev', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.base).toMatch(/^node:20-bookworm-slim$/);
    const modules = runtime.instructions.filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args));
    const installedHere = runs(runtime).some((r) => /\bnpm ci\b.*--omit=dev/.test(r));
    expect(modules.length > 0 || installedHere).toBe(true);
    for (const copy of modules) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      const source = stages.find((s) => s.name === from);
      expect(source).toBeDefined();
      const installs = lineage(stages, source!)
        .flatMap(runs)
        .filter((r) => /\bnpm (ci|install|i)\b/.test(r));
      expect(installs.length).toBeGreaterThan(0);
      for (const install of installs) expect(install).toMatch(/\bnpm ci\b.*--omit=dev/);
    }
    expect(runs(runtime).join('\n')).not.toMatch(/g\+\+|npm ci(?!.*--omit=dev)/);
  });

  it("copies the app's build output and runs it as CMD, as a non-root user", () => {
    const copy = runtime.instructions.find(
      (i) => i.keyword === 'COPY' && i.args.includes('--from=') && i.args.includes(output),
    );
    expect(copy).toBeDefined();
    const [source, destination] = copy!.args.split(/\s+/).filter((a) => !a.startsWith('--'));
    expect(posix.normalize(source!).endsWith(output)).toBe(true);
    expect(posix.normalize(destination!)).toBe(output);
    expect(JSON.parse(last('CMD') ?? 'null')).toEqual(['node', `${output}/main.js`]);
    const user = last('USER');
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('runs in production mode, exposes its port and checks /health/ready', () => {
    expect(
      runtime.instructions.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args)),
    ).toBe(true);
    expect(runtime.instructions.some((i) => i.keyword === 'ENV' && /\bHOST=0\.0\.0\.0\b/.test(i.args))).toBe(
      true,
    );
    const port = /\bPORT=(\d+)/.exec(
      runtime.instructions
        .filter((i) => i.keyword === 'ENV')
        .map((i) => i.args)
        .join(' '),
    )?.[1];
    expect(last('EXPOSE')).toBe(port);
    expect(last('HEALTHCHECK')).toMatch(/CMD \[.*\/health\/ready/);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('docker/compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: { context: string; dockerfile: string };
        environment?: Record<string, string | number>;
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: { test: string[] };
        deploy?: { replicas?: number };
        secrets?: string[];
      }
    >;
    secrets?: Record<string, { file?: string }>;
  };
  const service = (name: string) => {
    const found = compose.services[name];
    if (found === undefined) throw new Error(`compose.yaml has no service '${name}'`);
    return found;
  };

  it.each(apps)("builds %s from the app's Dockerfile", (app) => {
    const build = service(app).build;
    expect(resolve(root, 'docker', build?.context ?? '')).toBe(resolve(root));
    expect(build?.dockerfile).toBe(`docker/${app}.Dockerfile`);
  });

  it.each(apps)('wires %s to Kafka and Cosmos DB by environment, once both are healthy', (app) => {
    const { environment = {}, depends_on = {} } = service(app);
    expect(environment).toMatchObject({ DURABLE_MODE: 'distributed' });
    for (const name of [
      'KAFKA_BROKERS',
      'COSMOS_ENDPOINT',
      'COSMOS_KEY',
      'TASK_HUB',
      'PARTITION_COUNT',
      'PORT',
    ])
      expect(environment[name]).toBeDefined();
    const kafkaHost = String(environment['KAFKA_BROKERS']).split(':')[0]!;
    const cosmosHost = new URL(String(environment['COSMOS_ENDPOINT'])).hostname;
    for (const backend of [kafkaHost, cosmosHost]) {
      expect(depends_on[backend]).toEqual({ condition: 'service_healthy' });
      expect(service(backend).healthcheck?.test.length).toBeGreaterThan(0);
    }
    const expose = stagesOf(read(`docker/${app}.Dockerfile`))
      .pop()!
      .instructions.find((i) => i.keyword === 'EXPOSE')?.args;
    expect(String(environment['PORT'])).toBe(expose);
  });

  // Compose's `${NAME:-default}` as compose reads it with NAME unset.
  const unsetDefaults = (value: string | number): string =>
    String(value).replace(/\$\{\w+:-([^}]*)\}/g, '$1');

  it.each(apps)('runs %s with authentication on, its API keys from a compose secret file', (app) => {
    const { environment = {}, secrets = [] } = service(app);
    expect(environment['DURABLE_AUTH']).toBe('on');
    const mounted = /^\/run\/secrets\/([\w-]+)$/.exec(String(environment['DURABLE_API_KEYS']));
    expect(mounted).not.toBeNull();
    const secret = mounted![1]!;
    expect(secrets).toContain(secret);
    expect(unsetDefaults(compose.secrets?.[secret]?.file ?? '')).toBe('./api-keys.txt');
    expect(read('.gitignore').split('\n')).toContain('docker/api-keys.txt');
    // The apps' own reader of these settings, with a keys file as the README says to write it.
    const dir = mkdtempSync(join(tmpdir(), 'durable-compose-keys-'));
    try {
      const keys = join(dir, 'api-keys.txt');
      writeFileSync(keys, 'admin:0123456789abcdef0123456789abcdef\n');
      const env = Object.fromEntries(
        Object.entries(environment).map(([name, value]) => [name, unsetDefaults(value)]),
      );
      expect(authenticatorFromEnv({ ...env, DURABLE_API_KEYS: keys }).enabled).toBe(true);
      // Without the keys, the app refuses to start rather than serve open.
      expect(() => authenticatorFromEnv({ ...env, DURABLE_API_KEYS: '' })).toThrow('DURABLE_AUTH=on needs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a KRaft Kafka broker, Kafka triggers on the frontend and two of each worker', () => {
    expect(service('kafka').image).toBe('apache/kafka:3.9.1');
    expect(service('kafka').environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(service('frontend').environment?.['KAFKA_TRIGGERS']).toMatch(/^[\w.-]+=\w+/);
    expect(service('orchestration-worker').deploy?.replicas).toBe(2);
    expect(service('activity-worker').deploy?.replicas).toBe(2);
  });
});

describe('the Container Apps manifests', () => {
  // Whole-line comments dropped, so that prose can't satisfy (or fail) a check.
  const bicep = read('docker/azure/main.bicep').replace(/^\s*\/\/.*\n/gm, '');

  /** The body of each `resource <name> '<type>@<version>' = { ... }` of the given type. */
  function resources(type: string): Map<string, string> {
    const found = new Map<string, string>();
    const header = new RegExp(`^resource (\\w+) '${type.replace(/[./]/g, '\\$&')}@[^']+' = \\{`, 'gm');
    for (const match of bicep.matchAll(header)) {
      let depth = 0;
      let end = match.index + match[0].length - 1;
      for (; end < bicep.length; end++) {
        if (bicep[end] === '{') depth++;
        else if (bicep[end] === '}' && --depth === 0) break;
      }
      found.set(match[1]!, bicep.slice(match.index, end + 1));
    }
    return found;
  }

  const containerApps = resources('Microsoft.App/containerApps');
  const body = (name: string): string => {
    const found = containerApps.get(name);
    if (found === undefined) throw new Error(`main.bicep declares no container app '${name}'`);
    return found;
  };

  it('declares the environment, its Log Analytics workspace and the three apps', () => {
    expect(resources('Microsoft.App/managedEnvironments').size).toBe(1);
    expect(resources('Microsoft.OperationalInsights/workspaces').size).toBe(1);
    expect([...containerApps.keys()].sort()).toEqual(['activityWorker', 'frontend', 'orchestrationWorker']);
    expect(body('frontend')).toContain('image: frontendImage');
    expect(body('orchestrationWorker')).toContain('image: orchestrationWorkerImage');
    expect(body('activityWorker')).toContain('image: activityWorkerImage');
  });

  it('gives the frontend external ingress on 7071 and the workers none', () => {
    expect(bicep).toMatch(/^var frontendPort = 7071$/m);
    expect(body('frontend')).toMatch(/ingress: \{\s*external: true\s*targetPort: frontendPort/);
    expect(body('orchestrationWorker')).not.toMatch(/ingress:/);
    expect(body('activityWorker')).not.toMatch(/ingress:/);
  });

  it('probes /health and /health/ready and keeps at least one replica of each app', () => {
    expect(bicep).toMatch(/type: 'Liveness', httpGet: \{ path: '\/health'/);
    expect(bicep).toMatch(/type: 'Readiness', httpGet: \{ path: '\/health\/ready'/);
    for (const name of containerApps.keys()) {
      expect(body(name)).toMatch(/probes: healthProbes\(\w+Port\)/);
      expect(body(name)).toMatch(/minReplicas: 1\b/);
    }
  });

  it("scales each worker with KEDA's kafka scaler on its consumer group's lag", () => {
    expect(bicep).toMatch(/func kafkaScaleRule\([^)]*\) object => \{[^]*?type: 'kafka'/);
    // A rule per task hub served (TASK_HUB and TASK_HUBS), on that hub's group and topic.
    expect(bicep).toMatch(/^var allTaskHubs = union\(\[taskHub\], taskHubs\)$/m);
    expect(bicep).toContain("{ name: 'TASK_HUBS', value: join(allTaskHubs, ',') }");
    expect(body('orchestrationWorker')).toMatch(
      /for hub in allTaskHubs: kafkaScaleRule\('[\w-]+-\$\{toLower\(hub\)\}', kafkaBrokers, '\$\{hub\}\.orchestration-workers', '\$\{hub\}\.partitions'/,
    );
    expect(body('activityWorker')).toMatch(
      /for hub in allTaskHubs: kafkaScaleRule\('[\w-]+-\$\{toLower\(hub\)\}', kafkaBrokers, '\$\{hub\}\.activity-workers', '\$\{hub\}\.activities'/,
    );
    expect(body('orchestrationWorker')).toMatch(/maxReplicas: min\(\w+, partitionCount\)/);
    // Each worker kind is bounded by the partitions of its own topic.
    expect(body('activityWorker')).toMatch(/maxReplicas: min\(\w+, activityPartitionCount\)/);
    expect(bicep).toContain("{ name: 'ACTIVITY_PARTITION_COUNT', value: string(activityPartitionCount) }");
  });

  it('keeps the Cosmos DB key and the Kafka password in secrets from secure parameters', () => {
    expect(bicep).toMatch(/@secure\(\)\s*param cosmosKey string/);
    expect(bicep).toMatch(/@secure\(\)\s*param kafkaSaslPassword string/);
    expect(bicep).toContain("{ name: 'COSMOS_KEY', secretRef: 'cosmos-key' }");
  });

  it('turns authentication on, with the API keys in a secret from a secure parameter, or OIDC', () => {
    expect(bicep).not.toMatch(/'DURABLE_AUTH', value: 'off'/);
    expect(bicep).toContain("[{ name: 'DURABLE_AUTH', value: 'on' }]");
    expect(bicep).toMatch(/@secure\(\)\s*param durableApiKeys string/);
    expect(bicep).toContain("{ name: 'durable-api-keys', value: durableApiKeys }");
    expect(bicep).toContain("{ name: 'DURABLE_API_KEYS', secretRef: 'durable-api-keys' }");
    for (const setting of [
      'DURABLE_OIDC_ISSUER',
      'DURABLE_OIDC_AUDIENCE',
      'DURABLE_OIDC_ROLE_MAP',
      'DURABLE_OIDC_CLIENT_ID',
      'DURABLE_OIDC_SCOPES',
    ])
      expect(bicep).toContain(`{ name: '${setting}', value: `);
    expect(bicep).toMatch(/^var commonEnv = concat\(authEnv, \[/m);
    for (const app of ['frontend', 'orchestrationWorker', 'activityWorker'])
      expect(body(app)).toMatch(/env: concat\(commonEnv, /);
  });

  it('has a parameters file that sets only declared parameters and every required one but secrets', () => {
    const declared = [...bicep.matchAll(/^(@secure\(\)\s*)?param (\w+) \w+( = .*)?$/gm)].map((m) => ({
      name: m[2]!,
      secure: m[1] !== undefined,
      required: m[3] === undefined,
    }));
    const given = Object.keys(
      (JSON.parse(read('docker/azure/main.parameters.json')) as { parameters: object }).parameters,
    );
    expect(declared.length).toBeGreaterThan(10);
    for (const name of given) expect(declared.map((p) => p.name)).toContain(name);
    for (const p of declared.filter((p) => p.required && !p.secure)) expect(given).toContain(p.name);
  });
});
