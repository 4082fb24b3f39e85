// The Helm chart, rendered by a real helm and checked three ways: `helm lint`, what the rendered
// objects say (probes, graceful stop, the consumer groups and topics the apps really use, KEDA's
// bounds), and kubeconform against the Kubernetes and KEDA schemas in test/deployment/schemas.
// No cluster here: nothing is installed, and KEDA's scaling is not observed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { authenticatorFromEnv, dashboardOidcFromEnv } from '@durable/auth';
import { activityWorkersGroup, distributedConfigFromEnv, orchestrationWorkersGroup } from '@durable/host';
import { ensureGoTools } from '@durable/tools/helm';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const chart = join(root, 'docker', 'helm', 'durable');
const minimal = join(chart, 'ci', 'minimal-values.yaml');
const eventHubs = join(chart, 'ci', 'event-hubs-values.yaml');
// The chart's oldest supported Kubernetes and a current one; a go-installed helm defaults to 1.20.
const kubernetesVersions = ['1.25.0', '1.33.0'];

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are checked field by field */
type Obj = {
  kind: string;
  apiVersion: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

let tools: { helm: string; kubeconform: string };

beforeAll(() => {
  // Built from the Go module proxy on first use (CI builds them before the tests in .ci/run).
  tools = ensureGoTools((line) => process.stderr.write(`${line}\n`));
}, 900_000);

async function template(
  valuesFiles: readonly string[],
  set: readonly string[] = [],
  kubeVersion = '1.33.0',
): Promise<string> {
  const args = ['template', 'rel', chart, '--namespace', 'durable', '--kube-version', kubeVersion];
  for (const file of valuesFiles) args.push('-f', file);
  for (const value of set) args.push('--set', value);
  return (await run(tools.helm, args)).stdout;
}

async function render(valuesFiles: readonly string[], set: readonly string[] = []): Promise<Obj[]> {
  return parseAllDocuments(await template(valuesFiles, set))
    .map((doc) => doc.toJSON() as Obj | null)
    .filter((obj): obj is Obj => obj !== null);
}

async function renderError(set: readonly string[]): Promise<string> {
  try {
    await template([minimal], set);
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`helm template succeeded with ${set.join(' ')}`);
}

function find(objects: readonly Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined)
    throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

function container(deployment: Obj): any {
  return deployment.spec.template.spec.containers[0];
}

describe('the Helm chart', () => {
  it.each([
    ['minimal', [minimal]],
    ['Event Hubs', [eventHubs]],
  ])('passes helm lint --strict with the %s values', async (_name, files) => {
    const args = ['lint', chart, '--strict'];
    for (const file of files) args.push('-f', file);
    const { stdout } = await run(tools.helm, args);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders the three apps with probes on /health and /health/ready and a graceful stop', async () => {
    const objects = await render([minimal]);
    for (const [app, port, grace] of [
      ['frontend', 7071, 30],
      ['orchestration-worker', 7072, 60],
      ['activity-worker', 7073, 60],
    ] as const) {
      const deployment = find(objects, 'Deployment', `rel-durable-${app}`);
      const c = container(deployment);
      expect(c.image).toBe(`durable-${app}:0.1.0`);
      expect(c.ports[0]).toEqual({ name: 'http', containerPort: port, protocol: 'TCP' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(grace);
      expect(c.env).toContainEqual({ name: 'PORT', value: String(port) });
      const pdb = find(objects, 'PodDisruptionBudget', `rel-durable-${app}`);
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
    }
    const frontend = container(find(objects, 'Deployment', 'rel-durable-frontend'));
    expect(frontend.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    const service = find(objects, 'Service', 'rel-durable-frontend');
    expect(service.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port])).toEqual([
      ['http', 7071],
      ['grpc', 4001],
    ]);
    expect(service.spec.selector).toEqual(
      find(objects, 'Deployment', 'rel-durable-frontend').spec.selector.matchLabels,
    );
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('gives every app settings the apps accept', async () => {
    const objects = await render([minimal]);
    const config = find(objects, 'ConfigMap', 'rel-durable-config').data!;
    const secret = find(objects, 'Secret', 'rel-durable-secrets').stringData!;
    for (const app of ['frontend', 'orchestration-worker', 'activity-worker']) {
      const env: Record<string, string> = { ...config };
      for (const e of container(find(objects, 'Deployment', `rel-durable-${app}`)).env as {
        name: string;
        value?: string;
        valueFrom?: { secretKeyRef: { key: string } };
      }[])
        env[e.name] = e.value ?? secret[e.valueFrom!.secretKeyRef.key]!;
      // The apps' own reader of these settings: it throws on anything missing or malformed.
      const parsed = distributedConfigFromEnv(env, '/', 0);
      expect(parsed).toMatchObject({
        hub: 'durable',
        partitions: 12,
        activityPartitions: 12,
        host: '0.0.0.0',
        kafkaBrokers: ['kafka-0.kafka:9092', 'kafka-1.kafka:9092'],
        cosmos: { auth: { kind: 'key', key: 'not-a-real-key' }, databaseId: 'durable' },
      });
      expect(env['DURABLE_MODE']).toBe('distributed');
      // Authentication is on, with the values' keys; the workers' gRPC token is a worker key.
      expect(env['DURABLE_AUTH']).toBe('on');
      const authenticator = authenticatorFromEnv(env);
      expect(authenticator.enabled).toBe(true);
      const admin = await authenticator.authenticate('Bearer not-a-real-admin-key-0123');
      expect(admin.roles).toEqual(['admin']);
      if (app !== 'frontend') {
        expect(env['DURABLE_GRPC_FRONTEND']).toBe('rel-durable-frontend:4001');
        const worker = await authenticator.authenticate(`Bearer ${env['DURABLE_GRPC_TOKEN']}`);
        expect(worker.roles).toEqual(['worker']);
      }
    }
  });

  it('scales the workers with KEDA on the lag of the groups and topics the apps use, up to the partitions', async () => {
    const objects = await render(
      [minimal],
      ['taskHub=orders', 'partitionCount=6', 'activityPartitionCount=10'],
    );
    const expected = [
      ['orchestration-worker', orchestrationWorkersGroup, 'partitions', 6],
      ['activity-worker', activityWorkersGroup, 'activities', 10],
    ] as const;
    for (const [app, group, topic, partitions] of expected) {
      const scaled = find(objects, 'ScaledObject', `rel-durable-${app}`);
      expect(scaled.spec.scaleTargetRef).toEqual({ name: `rel-durable-${app}` });
      expect(scaled.spec.minReplicaCount).toBe(1);
      expect(scaled.spec.maxReplicaCount).toBe(partitions);
      expect(scaled.spec.triggers).toHaveLength(1);
      expect(scaled.spec.triggers[0]).toMatchObject({
        type: 'kafka',
        metadata: {
          bootstrapServers: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
          consumerGroup: `orders.${group}`,
          topic: `orders.${topic}`,
          offsetResetPolicy: 'earliest',
          allowIdleConsumers: 'false',
        },
      });
      // KEDA owns the replica count of a scaled Deployment.
      expect(find(objects, 'Deployment', `rel-durable-${app}`).spec.replicas).toBeUndefined();
    }
    expect(find(objects, 'Deployment', 'rel-durable-frontend').spec.replicas).toBe(1);

    const fixed = await render([minimal], ['keda.enabled=false', 'orchestrationWorker.replicas=3']);
    expect(fixed.some((o) => o.kind === 'ScaledObject')).toBe(false);
    expect(find(fixed, 'Deployment', 'rel-durable-orchestration-worker').spec.replicas).toBe(3);
  });

  it('serves several task hubs: TASK_HUBS for the apps, and KEDA on the lag of every hub', async () => {
    const objects = await render([minimal], ['taskHub=orders', 'taskHubs={billing,shipping}']);
    const config = find(objects, 'ConfigMap', 'rel-durable-config').data!;
    expect(config['TASK_HUBS']).toBe('orders,billing,shipping');
    const parsed = distributedConfigFromEnv({ ...config, COSMOS_KEY: 'not-a-real-key' }, '/', 0);
    expect(parsed.taskHubs).toEqual({ defaultHub: 'orders', hubs: ['orders', 'billing', 'shipping'] });
    for (const [app, group, topic] of [
      ['orchestration-worker', orchestrationWorkersGroup, 'partitions'],
      ['activity-worker', activityWorkersGroup, 'activities'],
    ] as const) {
      const triggers = find(objects, 'ScaledObject', `rel-durable-${app}`).spec.triggers as {
        metadata: { consumerGroup: string; topic: string };
      }[];
      expect(triggers.map((t) => [t.metadata.consumerGroup, t.metadata.topic])).toEqual(
        ['orders', 'billing', 'shipping'].map((hub) => [`${hub}.${group}`, `${hub}.${topic}`]),
      );
    }
    expect(
      (await render([minimal])).some((o) => o.kind === 'ConfigMap' && o.data?.['TASK_HUBS'] !== undefined),
    ).toBe(false);
  });

  it('renders Event Hubs: SASL for the apps and the scaler, an existing secret, an Ingress', async () => {
    const objects = await render([eventHubs]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const auth = find(objects, 'TriggerAuthentication', 'rel-durable-kafka');
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'durable-credentials', key: 'kafkaSaslUsername' },
      { parameter: 'password', name: 'durable-credentials', key: 'kafkaSaslPassword' },
    ]);
    const scaled = find(objects, 'ScaledObject', 'rel-durable-orchestration-worker');
    expect(scaled.spec.maxReplicaCount).toBe(8);
    expect(scaled.spec.triggers[0].metadata).toMatchObject({
      sasl: 'plaintext',
      tls: 'enable',
      topic: 'orders.partitions',
    });
    expect(scaled.spec.triggers[0].authenticationRef).toEqual({ name: 'rel-durable-kafka' });
    expect(find(objects, 'ScaledObject', 'rel-durable-activity-worker').spec).toMatchObject({
      minReplicaCount: 0,
      maxReplicaCount: 32,
    });
    const config = find(objects, 'ConfigMap', 'rel-durable-config').data!;
    expect(config).toMatchObject({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      DURABLE_APP: '/app/dist/apps/user/index.js',
      DURABLE_AUTH: 'on',
      DURABLE_OIDC_ISSUER: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      DURABLE_OIDC_AUDIENCE: 'api://durable',
    });
    // OIDC signs callers in; the existing Secret may hold API keys too.
    expect(authenticatorFromEnv(config).enabled).toBe(true);
    expect(dashboardOidcFromEnv(config)).toEqual({
      issuer: config['DURABLE_OIDC_ISSUER'],
      clientId: '00000000-0000-0000-0000-00000000da5b',
      scopes: 'openid api://durable/Durable.Access',
    });
    const worker = container(find(objects, 'Deployment', 'rel-durable-activity-worker'));
    expect(worker.image).toBe('myregistry.azurecr.io/durable-activity-worker:0.1.0');
    expect(worker.env).toContainEqual({
      name: 'KAFKA_SASL_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'durable-credentials', key: 'kafkaSaslPassword' } },
    });
    expect(worker.env.some((e: { name: string }) => e.name === 'DURABLE_GRPC_FRONTEND')).toBe(false);
    expect(worker.env).toContainEqual({
      name: 'DURABLE_API_KEYS',
      valueFrom: { secretKeyRef: { name: 'durable-credentials', key: 'durableApiKeys', optional: true } },
    });
    const ingress = find(objects, 'Ingress', 'rel-durable-frontend');
    expect(ingress.spec).toMatchObject({
      ingressClassName: 'nginx',
      tls: [{ secretName: 'durable-tls', hosts: ['durable.example.com'] }],
      rules: [{ host: 'durable.example.com' }],
    });
  });

  it('refuses values that would not run, with the reason', async () => {
    expect(await renderError(['kafka.brokers='])).toContain('kafka.brokers is required');
    expect(await renderError(['cosmos.key='])).toContain(
      'cosmos.key (or secrets.existingSecret) is required',
    );
    expect(await renderError(['keda.orchestrationWorker.maxReplicas=13'])).toContain(
      'cannot exceed partitionCount',
    );
    expect(await renderError(['keda.orchestrationWorker.minReplicas=0'])).toContain(
      'fire the durable timers',
    );
    expect(await renderError(['kafka.sasl.mechanism=gssapi'])).toContain('kafka.sasl.mechanism must be');
    expect(await renderError(['taskHubs={billing,no_such}'])).toContain("'no_such' is not");
    expect(await renderError(['auth.apiKeys=', 'auth.workerToken='])).toContain('authentication is required');
    expect(await renderError(['auth.workerToken='])).toContain(
      'auth.workerToken is required with frontend.grpc.enabled',
    );
    expect(await renderError(['auth.oidc.clientId=dashboard'])).toContain(
      'auth.oidc.issuer and auth.oidc.audience are required with auth.oidc.clientId',
    );
    expect(await renderError(['auth.oidc.issuer=https://issuer.example'])).toContain(
      'auth.oidc.audience is required',
    );
  });

  describe('kubeconform, against the Kubernetes and KEDA schemas', () => {
    const schemas = join(root, 'test', 'deployment', 'schemas');
    const validate = async (
      manifests: string,
      kubeVersion: string,
    ): Promise<{ code: number; out: string }> => {
      const args = [
        '-strict',
        '-summary',
        '-kubernetes-version',
        kubeVersion,
        // Only the shipped schemas: a kind without one is an error, never a silent skip.
        '-schema-location',
        join(
          schemas,
          'kubernetes',
          '{{ .NormalizedKubernetesVersion }}-local-strict',
          '{{ .ResourceKind }}{{ .KindSuffix }}.json',
        ),
        '-schema-location',
        join(schemas, '{{ .Group }}', '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
        '-',
      ];
      return new Promise((resolve) => {
        const child = execFile(tools.kubeconform, args, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), out: stdout + stderr }),
        );
        child.stdin!.end(manifests);
      });
    };

    it.each(
      kubernetesVersions.flatMap((v) => [
        [v, 'minimal', minimal] as const,
        [v, 'Event Hubs', eventHubs] as const,
      ]),
    )('finds every object valid for Kubernetes %s with the %s values', async (kubeVersion, _name, file) => {
      const manifests = await template([file], [], kubeVersion);
      const { code, out } = await validate(manifests, kubeVersion);
      expect(out).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
      expect(code).toBe(0);
      const kinds = file === minimal ? 12 : 13;
      expect(out).toContain(`${kinds} resources found`);
    });

    it('rejects a misspelt field, a wrong type and a kind it has no schema for', async () => {
      const manifests = await template([minimal]);
      const broken = manifests
        .replace('revisionHistoryLimit: 5', 'revisionHistoryLimt: 5')
        .replace('minReplicaCount: 1', 'minReplicaCount: "1"');
      const { code, out } = await validate(broken, '1.33.0');
      expect(code).toBe(1);
      expect(out).toContain("additional properties 'revisionHistoryLimt' not allowed");
      expect(out).toMatch(/ScaledObject rel-durable-orchestration-worker is invalid/);
      const unknown = await validate(
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n',
        '1.33.0',
      );
      expect(unknown.code).toBe(1);
      expect(unknown.out).toContain('could not find schema for Widget');
    });
  });
});
