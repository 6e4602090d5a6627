import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per service, with Node's default metrics and a `service` label. Metric names start with
 * `crateflow_`; labels never carry a file path (unbounded cardinality, and paths are private).
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'crateflow_' });
  return registry;
}

/** Stage metrics beyond the messaging ones (which the messaging layer registers itself). */
export function stageWorkMetrics(registry: Registry) {
  return {
    audioSeconds: getOrCreate(
      registry,
      'crateflow_audio_seconds_processed_total',
      () =>
        new Counter({
          name: 'crateflow_audio_seconds_processed_total',
          help: 'Seconds of audio processed',
          labelNames: ['stage'],
          registers: [registry],
        }),
    ),
    bytesHashed: getOrCreate(
      registry,
      'crateflow_bytes_hashed_total',
      () =>
        new Counter({
          name: 'crateflow_bytes_hashed_total',
          help: 'Bytes read and hashed with SHA-256',
          labelNames: ['stage'],
          registers: [registry],
        }),
    ),
    filesProcessed: getOrCreate(
      registry,
      'crateflow_files_processed_total',
      () =>
        new Counter({
          name: 'crateflow_files_processed_total',
          help: 'Files handled by a stage, by outcome',
          labelNames: ['stage', 'outcome'],
          registers: [registry],
        }),
    ),
    stageDuration: getOrCreate(
      registry,
      'crateflow_stage_work_seconds',
      () =>
        new Histogram({
          name: 'crateflow_stage_work_seconds',
          help: 'Time a stage spent on one unit of work',
          labelNames: ['stage'],
          buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
          registers: [registry],
        }),
    ),
  };
}

/** What the fingerprint stage reports besides the common stage metrics. */
export function fingerprintMetrics(registry: Registry) {
  return {
    hashesStored: getOrCreate(
      registry,
      'crateflow_fingerprint_hashes_stored_total',
      () =>
        new Counter({
          name: 'crateflow_fingerprint_hashes_stored_total',
          help: 'Fingerprint hashes stored in the index and read back, by strategy',
          labelNames: ['strategy'],
          registers: [registry],
        }),
    ),
    mixIdentifications: getOrCreate(
      registry,
      'crateflow_mix_identifications_total',
      () =>
        new Counter({
          name: 'crateflow_mix_identifications_total',
          help: 'Mix identification jobs ended, by outcome',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
  };
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
