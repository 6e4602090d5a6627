#!/usr/bin/env node
/**
 * Writes the Grafana dashboards under deploy/grafana/dashboards from the definitions below (one place for
 * layout, datasource and the services that export each metric). deploy.spec.ts fails when the JSON files are
 * stale; regenerate with:  node -r @swc-node/register tools/scripts/gen-dashboards.ts
 *
 * Every dashboard carries `crateflowMetricSources`: for each metric its queries use, the services that export
 * it. The observability e2e test scrapes the running services and requires each of them to export it, so a
 * panel can only name a metric the system really has (a service that is not part of a run is not checked).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SERVICES } from '@crateflow/contracts';

export const DATASOURCE = { type: 'prometheus', uid: 'crateflow-prometheus' } as const;
const ALL = [...SERVICES];
const STAGE_SERVICES = ['ingest', 'metadata', 'fingerprint', 'analysis'];

/** Which services export each metric a dashboard or alert rule may use. */
export const METRIC_SOURCES: Record<string, readonly string[]> = {
  // The messaging layer registers these in every service that connects to NATS.
  crateflow_messages_processed_total: ALL,
  crateflow_message_handling_seconds: ALL,
  crateflow_messages_in_flight: ALL,
  crateflow_consumer_lag: ALL,
  // Stage work (libs/observability stageWorkMetrics).
  crateflow_files_processed_total: STAGE_SERVICES,
  crateflow_stage_work_seconds: STAGE_SERVICES,
  crateflow_bytes_hashed_total: STAGE_SERVICES,
  crateflow_audio_seconds_processed_total: STAGE_SERVICES,
  // Fingerprint stage.
  crateflow_fingerprint_hashes_stored_total: ['fingerprint'],
  crateflow_mix_identifications_total: ['fingerprint'],
  // Executor (apps/executor execution-metrics).
  crateflow_execution_steps_total: ['executor'],
  crateflow_execution_files_total: ['executor'],
  crateflow_execution_bytes_total: ['executor'],
  crateflow_execution_verification_failures_total: ['executor'],
  crateflow_execution_reconciliations_total: ['executor'],
  // Proposer's LLM (registered with or without an LLM configured).
  crateflow_llm_calls_total: ['proposer'],
  crateflow_llm_tokens_total: ['proposer'],
  crateflow_llm_wait_seconds_total: ['proposer'],
  // Tracklists: 1001Tracklists look-ups.
  crateflow_tracklist_lookups_total: ['tracklists'],
  crateflow_tracklist_parse_failures_total: ['tracklists'],
  // Gateway: HTTP and the pipeline read model.
  crateflow_http_request_seconds: ['gateway'],
  crateflow_files_by_state: ['gateway'],
  crateflow_files_by_stage_status: ['gateway'],
  crateflow_files_missing: ['gateway'],
  // Node.js runtime (prom-client's default metrics, prefixed), every service.
  crateflow_process_cpu_seconds_total: ALL,
  crateflow_process_resident_memory_bytes: ALL,
  crateflow_nodejs_heap_size_used_bytes: ALL,
  crateflow_nodejs_heap_size_total_bytes: ALL,
  crateflow_nodejs_eventloop_lag_p99_seconds: ALL,
  crateflow_nodejs_gc_duration_seconds: ALL,
  crateflow_nodejs_active_handles_total: ALL,
};

/** Metric names in a PromQL expression: a histogram's series (x_bucket, x_sum, x_count) count as x. */
export function metricsIn(expr: string): string[] {
  const names = new Set<string>();
  for (const [series] of expr.matchAll(/\bcrateflow_[a-z0-9_]+/g)) {
    const base = series.replace(/_(bucket|sum|count)$/, '');
    names.add(METRIC_SOURCES[series] || !METRIC_SOURCES[base] ? series : base);
  }
  return [...names];
}

interface Target {
  expr: string;
  legend?: string;
}
interface PanelDef {
  title: string;
  description?: string;
  type?: 'timeseries' | 'bargauge' | 'stat' | 'heatmap';
  unit?: string;
  targets: Target[];
  width?: number;
  height?: number;
}
interface DashboardDef {
  file: string;
  uid: string;
  title: string;
  description: string;
  variables: ('stage' | 'service')[];
  panels: PanelDef[];
}

const RATE = '$__rate_interval';
const STAGE = 'stage=~"$stage"';
const SERVICE = 'service=~"$service"';

const quantile = (q: number, metric: string, by = 'stage', filter = STAGE) =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket{${filter}}[${RATE}])))`;

/** Each of these services' own metrics, first on its dashboard (the stage-level panels follow). */
const OWN_PANELS: Record<'executor' | 'proposer' | 'tracklists', PanelDef[]> = {
  executor: [
    {
      title: 'Bytes moved, copied or linked',
      unit: 'Bps',
      targets: [{ expr: `sum(rate(crateflow_execution_bytes_total[${RATE}]))`, legend: 'bytes per second' }],
    },
    {
      title: 'File operations finished by outcome',
      description:
        'done; failed (the journal keeps the reason, e.g. verify-failed); pending = rolled back, to run again.',
      unit: 'ops',
      targets: [
        {
          expr: `sum by (outcome) (rate(crateflow_execution_files_total[${RATE}]))`,
          legend: '{{outcome}}',
        },
      ],
    },
    {
      title: 'Failed and rolled-back file operations (1 h)',
      description:
        'A failed copy verification (SHA-256 differs) ends an operation failed with the source kept; the ' +
        'execution page lists each with its reason.',
      type: 'stat',
      unit: 'short',
      targets: [
        { expr: 'sum(increase(crateflow_execution_files_total{outcome="failed"}[1h]))', legend: 'failed' },
        { expr: 'sum(increase(crateflow_execution_files_total{outcome="pending"}[1h]))', legend: 'rolled back' },
      ],
    },
    {
      title: 'Journal steps by phase',
      description:
        'Every step is journaled before the change it names; `verifying` counts copies checked against their ' +
        'recorded hash; after a crash, start-up reconciliation journals the step that finishes or rolls back.',
      unit: 'ops',
      targets: [{ expr: `sum by (phase) (rate(crateflow_execution_steps_total[${RATE}]))`, legend: '{{phase}}' }],
    },
    {
      title: 'Copy verification failures (1 h)',
      description:
        'Copies whose read-back SHA-256 or size differed from the recorded hash: the copy was removed and the ' +
        'source kept. Any value above 0 points at failing storage or memory.',
      type: 'stat',
      unit: 'short',
      targets: [
        { expr: 'sum(increase(crateflow_execution_verification_failures_total[1h]))', legend: 'verification failures' },
      ],
    },
    {
      title: 'Journal reconciliations at start-up (24 h)',
      description:
        'Operations a crash or kill left unfinished, ended by the start-up reconciliation: done (the move had ' +
        'completed), failed, or pending (rolled back, to run again).',
      type: 'stat',
      unit: 'short',
      targets: [
        {
          expr: 'sum by (outcome) (increase(crateflow_execution_reconciliations_total[24h]))',
          legend: '{{outcome}}',
        },
      ],
    },
  ],
  proposer: [
    {
      title: 'LLM calls by outcome',
      unit: 'ops',
      targets: [{ expr: `sum by (outcome) (rate(crateflow_llm_calls_total[${RATE}]))`, legend: '{{outcome}}' }],
    },
    {
      title: 'LLM calls failed (share, 30 min)',
      description: 'Rate-limited, server errors, time-outs, network errors and malformed answers over all calls.',
      unit: 'percentunit',
      targets: [
        {
          expr:
            'sum(increase(crateflow_llm_calls_total{outcome!="ok"}[30m]))' +
            ' / sum(increase(crateflow_llm_calls_total[30m]))',
          legend: 'failed',
        },
      ],
    },
    {
      title: 'LLM tokens per hour',
      unit: 'short',
      targets: [{ expr: 'sum by (kind) (increase(crateflow_llm_tokens_total[1h]))', legend: '{{kind}}' }],
    },
    {
      title: 'Waiting before LLM calls (seconds per second)',
      description:
        'budget: the shared requests-per-minute budget (PROPOSER_LLM_RPM) or a vendor rate limit; retry: backoff ' +
        'after a failed call. Near 1 means a proposer spends its time waiting.',
      unit: 'none',
      targets: [
        { expr: `sum by (why) (rate(crateflow_llm_wait_seconds_total[${RATE}]))`, legend: '{{why}}' },
        {
          expr: `sum(rate(crateflow_llm_calls_total{outcome="rate_limited"}[${RATE}]))`,
          legend: 'rate-limited calls per second',
        },
      ],
    },
  ],
  tracklists: [
    {
      title: '1001Tracklists look-ups by outcome',
      unit: 'ops',
      targets: [{ expr: `sum by (outcome) (rate(crateflow_tracklist_lookups_total[${RATE}]))`, legend: '{{outcome}}' }],
    },
    {
      title: 'Blocked look-ups (1 h)',
      description: 'A Cloudflare challenge or a page rendered by JavaScript: see TRACKLISTS_RENDER in the docs.',
      type: 'stat',
      unit: 'short',
      targets: [{ expr: 'sum(increase(crateflow_tracklist_lookups_total{outcome="blocked"}[1h]))', legend: 'blocked' }],
    },
    {
      title: 'Pages that could not be read (1 h)',
      description: 'Fetched but not parsed; retried later. More than a few usually means the site changed its layout.',
      type: 'stat',
      unit: 'short',
      targets: [{ expr: 'sum(increase(crateflow_tracklist_parse_failures_total[1h]))', legend: 'parse failures' }],
    },
    {
      title: 'Look-ups per hour',
      unit: 'short',
      targets: [{ expr: 'sum by (outcome) (increase(crateflow_tracklist_lookups_total[1h]))', legend: '{{outcome}}' }],
    },
  ],
};

export const DASHBOARDS: DashboardDef[] = [
  {
    file: 'pipeline-overview.json',
    uid: 'crateflow-pipeline',
    title: 'Crateflow pipeline overview',
    description: 'Throughput, latency, backlog and failures of every pipeline stage.',
    variables: ['stage'],
    panels: [
      {
        title: 'Messages processed by stage and outcome',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (stage, outcome) (rate(crateflow_messages_processed_total{${STAGE}}[${RATE}]))`,
            legend: '{{stage}} {{outcome}}',
          },
        ],
      },
      {
        title: 'Files finished by stage and outcome',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (stage, outcome) (rate(crateflow_files_processed_total{${STAGE}}[${RATE}]))`,
            legend: '{{stage}} {{outcome}}',
          },
        ],
      },
      {
        title: 'Handling duration p50 / p95',
        unit: 's',
        targets: [
          { expr: quantile(0.5, 'crateflow_message_handling_seconds'), legend: '{{stage}} p50' },
          { expr: quantile(0.95, 'crateflow_message_handling_seconds'), legend: '{{stage}} p95' },
        ],
      },
      {
        title: 'Consumer lag (backlog per stage)',
        description: 'Messages waiting for each durable consumer: not yet delivered plus delivered and unacknowledged.',
        unit: 'short',
        targets: [{ expr: `max by (stage) (crateflow_consumer_lag{${STAGE}})`, legend: '{{stage}}' }],
      },
      {
        title: 'In flight',
        unit: 'short',
        targets: [{ expr: `sum by (stage) (crateflow_messages_in_flight{${STAGE}})`, legend: '{{stage}}' }],
      },
      {
        title: 'Dead letters by stage',
        description: 'Messages that failed their last delivery and went to the dead-letter stream.',
        unit: 'short',
        targets: [
          {
            expr: `sum by (stage) (increase(crateflow_messages_processed_total{outcome="dead_letter", ${STAGE}}[1h]))`,
            legend: '{{stage}}',
          },
        ],
      },
      {
        title: 'Files per state',
        type: 'bargauge',
        unit: 'short',
        targets: [{ expr: 'max by (state) (crateflow_files_by_state)', legend: '{{state}}' }],
      },
      {
        title: 'Files per stage and status',
        type: 'bargauge',
        unit: 'short',
        targets: [
          {
            expr: `max by (stage, status) (crateflow_files_by_stage_status{${STAGE}})`,
            legend: '{{stage}} {{status}}',
          },
        ],
      },
      {
        title: 'Share of files failed per stage (30 min)',
        unit: 'percentunit',
        targets: [
          {
            expr:
              `sum by (stage) (increase(crateflow_files_processed_total{outcome=~"failed|unreadable_.*", ${STAGE}}[30m]))` +
              ` / sum by (stage) (increase(crateflow_files_processed_total{${STAGE}}[30m]))`,
            legend: '{{stage}}',
          },
        ],
      },
      {
        title: 'Files missing on disk',
        type: 'stat',
        unit: 'short',
        targets: [{ expr: 'max(crateflow_files_missing)', legend: 'missing' }],
      },
      {
        title: 'Bytes hashed',
        unit: 'Bps',
        targets: [{ expr: `sum by (stage) (rate(crateflow_bytes_hashed_total[${RATE}]))`, legend: '{{stage}}' }],
      },
      {
        title: 'Audio processed (seconds of audio per second)',
        unit: 'none',
        targets: [
          {
            expr: `sum by (stage) (rate(crateflow_audio_seconds_processed_total{${STAGE}}[${RATE}]))`,
            legend: '{{stage}}',
          },
        ],
      },
      {
        title: 'API requests',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (route, status) (rate(crateflow_http_request_seconds_count[${RATE}]))`,
            legend: '{{route}} {{status}}',
          },
        ],
      },
      {
        title: 'Memory per service',
        unit: 'bytes',
        targets: [{ expr: 'max by (service) (crateflow_process_resident_memory_bytes)', legend: '{{service}}' }],
      },
      {
        title: 'Fingerprint hashes stored per second',
        unit: 'none',
        targets: [
          {
            expr: `sum by (strategy) (rate(crateflow_fingerprint_hashes_stored_total[${RATE}]))`,
            legend: '{{strategy}}',
          },
        ],
      },
      {
        title: 'Mix identifications',
        unit: 'none',
        targets: [
          {
            expr: `sum by (outcome) (increase(crateflow_mix_identifications_total[${RATE}]))`,
            legend: '{{outcome}}',
          },
        ],
      },
    ],
  },
  {
    file: 'stage-latency.json',
    uid: 'crateflow-stage-latency',
    title: 'Crateflow stage latency',
    description: 'How long each stage takes per message and per unit of work, as histograms and quantiles.',
    variables: ['stage'],
    panels: [
      {
        title: 'Handling time distribution',
        type: 'heatmap',
        unit: 's',
        width: 24,
        targets: [
          {
            expr: `sum by (le) (increase(crateflow_message_handling_seconds_bucket{${STAGE}}[${RATE}]))`,
            legend: '{{le}}',
          },
        ],
      },
      {
        title: 'Handling time p50 / p90 / p99 by stage',
        unit: 's',
        targets: [0.5, 0.9, 0.99].map((q) => ({
          expr: quantile(q, 'crateflow_message_handling_seconds'),
          legend: `{{stage}} p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'Work time per unit p50 / p95 by stage',
        description: 'Time spent on the work itself (decode, hash, analyse), without waiting for the queue.',
        unit: 's',
        targets: [0.5, 0.95].map((q) => ({
          expr: quantile(q, 'crateflow_stage_work_seconds'),
          legend: `{{stage}} p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'Mean handling time by stage',
        unit: 's',
        targets: [
          {
            expr:
              `sum by (stage) (rate(crateflow_message_handling_seconds_sum{${STAGE}}[${RATE}]))` +
              ` / sum by (stage) (rate(crateflow_message_handling_seconds_count{${STAGE}}[${RATE}]))`,
            legend: '{{stage}}',
          },
        ],
      },
      {
        title: 'Busy replicas (seconds of handling per second)',
        description:
          'About how many handlers are busy on average: above the replica count × concurrency means queueing.',
        unit: 'none',
        targets: [
          {
            expr: `sum by (stage) (rate(crateflow_message_handling_seconds_sum{${STAGE}}[${RATE}]))`,
            legend: '{{stage}}',
          },
        ],
      },
      {
        title: 'Throughput per replica',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (stage, instance) (rate(crateflow_message_handling_seconds_count{${STAGE}}[${RATE}]))`,
            legend: '{{stage}} {{instance}}',
          },
        ],
      },
    ],
  },
  {
    file: 'fingerprint.json',
    uid: 'crateflow-fingerprint',
    title: 'Crateflow fingerprints and mix identification',
    description: 'Indexing throughput, stored hashes, failures and mix identification jobs.',
    variables: [],
    panels: [
      {
        title: 'Files fingerprinted by outcome',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (outcome) (rate(crateflow_files_processed_total{stage="fingerprint"}[${RATE}]))`,
            legend: '{{outcome}}',
          },
        ],
      },
      {
        title: 'Audio fingerprinted (× realtime)',
        unit: 'none',
        targets: [
          {
            expr: `sum(rate(crateflow_audio_seconds_processed_total{stage="fingerprint"}[${RATE}]))`,
            legend: 'seconds of audio per second',
          },
        ],
      },
      {
        title: 'Hashes stored per second by strategy',
        unit: 'none',
        targets: [
          {
            expr: `sum by (strategy) (rate(crateflow_fingerprint_hashes_stored_total[${RATE}]))`,
            legend: '{{strategy}}',
          },
        ],
      },
      {
        title: 'Mix identification jobs by outcome',
        unit: 'short',
        targets: [
          {
            expr: `sum by (outcome) (increase(crateflow_mix_identifications_total[1h]))`,
            legend: '{{outcome}}',
          },
        ],
      },
      {
        title: 'Fingerprint and mix consumers: lag',
        unit: 'short',
        targets: [{ expr: 'max by (stage) (crateflow_consumer_lag{stage=~"fingerprint.*"})', legend: '{{stage}}' }],
      },
      {
        title: 'Fingerprint handling p95',
        unit: 's',
        targets: [
          {
            expr: quantile(0.95, 'crateflow_message_handling_seconds', 'stage', 'stage=~"fingerprint.*"'),
            legend: '{{stage}}',
          },
        ],
      },
      {
        title: 'Excerpt look-ups (gateway)',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (status) (rate(crateflow_http_request_seconds_count{route=~".*identify.*"}[${RATE}]))`,
            legend: '{{status}}',
          },
        ],
      },
    ],
  },
  ...(['executor', 'proposer', 'tracklists'] as const).map((stage): DashboardDef => ({
    file: `${stage}.json`,
    uid: `crateflow-${stage}`,
    title: {
      executor: 'Crateflow executor',
      proposer: 'Crateflow proposer and LLM',
      tracklists: 'Crateflow tracklists',
    }[stage],
    description: {
      executor: 'The only service that changes the library: plans carried out, failures, backlog.',
      proposer: 'Proposals generated, by the built-in rules or an LLM: throughput, failures, backlog.',
      tracklists: '1001Tracklists look-ups and tracklist matching: throughput, failures, backlog.',
    }[stage],
    variables: [],
    panels: [
      ...OWN_PANELS[stage],
      {
        title: 'Messages handled by outcome',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (outcome) (rate(crateflow_messages_processed_total{stage="${stage}"}[${RATE}]))`,
            legend: '{{outcome}}',
          },
        ],
      },
      {
        title: 'Backlog',
        unit: 'short',
        targets: [{ expr: `max(crateflow_consumer_lag{stage="${stage}"})`, legend: 'waiting' }],
      },
      {
        title: 'Handling time p50 / p95',
        unit: 's',
        targets: [0.5, 0.95].map((q) => ({
          expr: quantile(q, 'crateflow_message_handling_seconds', 'stage', `stage="${stage}"`),
          legend: `p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'In flight',
        unit: 'short',
        targets: [{ expr: `sum(crateflow_messages_in_flight{stage="${stage}"})`, legend: 'in flight' }],
      },
      {
        title: 'Dead letters (1 h)',
        type: 'stat',
        unit: 'short',
        targets: [
          {
            expr: `sum(increase(crateflow_messages_processed_total{stage="${stage}", outcome="dead_letter"}[1h]))`,
            legend: 'dead letters',
          },
        ],
      },
      {
        title: 'Files by stage status',
        type: 'bargauge',
        unit: 'short',
        targets: [
          { expr: `max by (status) (crateflow_files_by_stage_status{stage="${stage}"})`, legend: '{{status}}' },
        ],
      },
      {
        title: 'Memory and CPU',
        unit: 'short',
        targets: [
          {
            expr: `sum(rate(crateflow_process_cpu_seconds_total{service="${stage}"}[${RATE}]))`,
            legend: 'CPU cores',
          },
          {
            expr: `max(crateflow_process_resident_memory_bytes{service="${stage}"}) / 1e9`,
            legend: 'resident GB',
          },
        ],
      },
    ],
  })),
  {
    file: 'nodejs-runtime.json',
    uid: 'crateflow-nodejs',
    title: 'Crateflow Node.js runtime',
    description: 'CPU, memory, event loop and garbage collection of every service process.',
    variables: ['service'],
    panels: [
      {
        title: 'CPU (cores)',
        unit: 'none',
        targets: [
          {
            expr: `sum by (service, instance) (rate(crateflow_process_cpu_seconds_total{${SERVICE}}[${RATE}]))`,
            legend: '{{service}} {{instance}}',
          },
        ],
      },
      {
        title: 'Resident memory',
        unit: 'bytes',
        targets: [
          {
            expr: `max by (service, instance) (crateflow_process_resident_memory_bytes{${SERVICE}})`,
            legend: '{{service}} {{instance}}',
          },
        ],
      },
      {
        title: 'Heap used / total',
        unit: 'bytes',
        targets: [
          { expr: `sum by (service) (crateflow_nodejs_heap_size_used_bytes{${SERVICE}})`, legend: '{{service}} used' },
          {
            expr: `sum by (service) (crateflow_nodejs_heap_size_total_bytes{${SERVICE}})`,
            legend: '{{service}} total',
          },
        ],
      },
      {
        title: 'Event loop lag p99',
        description: 'A busy loop delays health checks and acks; long synchronous work belongs in a worker.',
        unit: 's',
        targets: [
          {
            expr: `max by (service, instance) (crateflow_nodejs_eventloop_lag_p99_seconds{${SERVICE}})`,
            legend: '{{service}} {{instance}}',
          },
        ],
      },
      {
        title: 'Time in garbage collection',
        unit: 'percentunit',
        targets: [
          {
            expr: `sum by (service) (rate(crateflow_nodejs_gc_duration_seconds_sum{${SERVICE}}[${RATE}]))`,
            legend: '{{service}}',
          },
        ],
      },
      {
        title: 'Active handles',
        unit: 'short',
        targets: [
          { expr: `sum by (service) (crateflow_nodejs_active_handles_total{${SERVICE}})`, legend: '{{service}}' },
        ],
      },
    ],
  },
];

function variable(name: 'stage' | 'service') {
  const metric = name === 'stage' ? 'crateflow_messages_processed_total' : 'crateflow_process_cpu_seconds_total';
  return {
    name,
    label: name === 'stage' ? 'Stage' : 'Service',
    type: 'query',
    datasource: DATASOURCE,
    query: { query: `label_values(${metric}, ${name})`, refId: name },
    definition: `label_values(${metric}, ${name})`,
    includeAll: true,
    multi: true,
    allValue: '.*',
    refresh: 2,
    sort: 1,
    current: { selected: true, text: ['All'], value: ['$__all'] },
  };
}

export function renderDashboard(def: DashboardDef): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = def.panels.map((p, i) => {
    const w = p.width ?? 12;
    const h = p.height ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    const type = p.type ?? 'timeseries';
    return {
      id: i + 1,
      type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options:
        type === 'heatmap'
          ? { calculate: false, yAxis: { unit: p.unit } }
          : { legend: { displayMode: 'list', placement: 'bottom' } },
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: t.expr,
        ...(type === 'heatmap' ? { format: 'heatmap' } : {}),
        legendFormat: t.legend ?? '__auto',
      })),
    };
  });
  const used = new Set(def.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))));
  const sources = Object.fromEntries(
    [...used].sort().map((m) => {
      const from = METRIC_SOURCES[m];
      if (!from) throw new Error(`${def.file}: no METRIC_SOURCES entry for ${m}`);
      return [m, [...from]];
    }),
  );
  return {
    uid: def.uid,
    title: def.title,
    description: def.description,
    tags: ['crateflow'],
    timezone: 'browser',
    editable: false,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    annotations: { list: [] },
    templating: { list: def.variables.map(variable) },
    panels,
    crateflowMetricSources: sources,
  };
}

export function dashboardFiles(): Map<string, string> {
  return new Map(DASHBOARDS.map((d) => [d.file, `${JSON.stringify(renderDashboard(d), null, 2)}\n`]));
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards');
  for (const [file, text] of dashboardFiles()) writeFileSync(path.join(dir, file), text);
  process.stdout.write(`wrote ${DASHBOARDS.length} dashboards to ${path.relative(process.cwd(), dir)}\n`);
}
