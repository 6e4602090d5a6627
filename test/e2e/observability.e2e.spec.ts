import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SERVICES } from '@crateflow/contracts';
import { metricsIn } from '../../tools/scripts/gen-dashboards';
import { generateTracks } from '../support/generated-tracks';
import { TestSystem } from './system';

const ROOT = path.resolve(__dirname, '../..');

/** Metric names a Prometheus text exposition defines (its `# TYPE` lines; present before any sample). */
function definedMetrics(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^# TYPE (\S+) \S+/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

/**
 * Every metric the Grafana dashboards and the alert rules query is exported by the running system: the whole
 * system runs a small library through the pipeline, then each service's /metrics is scraped and must define
 * every metric a dashboard says that service exports (`crateflowMetricSources`), and every alert metric.
 */
describe('dashboards and alerts query only metrics the running system exports', () => {
  let work: string;
  let system: TestSystem;
  const exported = new Map<string, Set<string>>();

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-e2e-observability-'));
    const library = path.join(work, 'library');
    const tracks = await generateTracks(path.join(library, 'generated'), 6, { seconds: 4 });
    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library });
    await system.init();
    // One at a time: on a busy 2-core machine seven services compiling at once can miss the health deadline.
    for (const service of SERVICES) await system.start(service);
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', {
      path: path.join(library, 'generated'),
    });
    expect(started.status).toBe(202);
    // The files reach the last stage, so the stages' metrics have seen work (their definitions exist regardless).
    await system.waitForProposer(tracks.length, { atLeast: true });
    for (const [instance, running] of system.processes) {
      const res = await fetch(`${running.url}/metrics`);
      expect(res.status).toBe(200);
      exported.set(instance, definedMetrics(await res.text()));
    }
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  const dashboardsDir = path.join(ROOT, 'deploy/grafana/dashboards');
  const dashboards = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));

  it.each(dashboards)('%s: every metric is exported by each service it names', (file) => {
    const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as {
      crateflowMetricSources: Record<string, string[]>;
    };
    const missing: string[] = [];
    for (const [metric, services] of Object.entries(dashboard.crateflowMetricSources)) {
      for (const service of services) {
        const names = exported.get(service);
        expect({ service, running: !!names }).toEqual({ service, running: true }); // the whole system runs here
        if (!names!.has(metric)) missing.push(`${metric} (from ${service})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every metric of the alert rules is exported by some service', () => {
    const alerts = parseYaml(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { expr: string }[] }[];
    };
    const all = new Set([...exported.values()].flatMap((s) => [...s]));
    const missing = alerts.groups
      .flatMap((g) => g.rules.flatMap((r) => metricsIn(r.expr)))
      .filter((metric) => !all.has(metric));
    expect(missing).toEqual([]);
  });
});
