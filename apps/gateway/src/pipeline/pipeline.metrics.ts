import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { METRICS } from '@crateflow/service-host';
import { PipelineService } from './pipeline.service';

/**
 * Exports the pipeline's shape to Prometheus (files per state, per stage and status, missing), read from
 * the same cached aggregate as GET /api/v1/pipeline/stats, so a scrape costs at most one query set.
 * The gateway exports it because it owns the read models; stages export only their own work.
 */
@Injectable()
export class PipelineMetrics implements OnModuleInit {
  constructor(
    @Inject(METRICS) private readonly registry: Registry,
    private readonly pipeline: PipelineService,
  ) {}

  onModuleInit(): void {
    if (this.registry.getSingleMetric('crateflow_files_by_state')) return;
    const pipeline = this.pipeline;
    new Gauge({
      name: 'crateflow_files_by_state',
      help: 'Files per lifecycle state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const stats = await pipeline.stats();
        for (const [state, n] of Object.entries(stats.files.byState)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'crateflow_files_by_stage_status',
      help: 'Files per pipeline stage and status',
      labelNames: ['stage', 'status'],
      registers: [this.registry],
      async collect() {
        const stats = await pipeline.stats();
        for (const [stage, statuses] of Object.entries(stats.stages)) {
          for (const [status, n] of Object.entries(statuses)) this.set({ stage, status }, n);
        }
      },
    });
    new Gauge({
      name: 'crateflow_files_missing',
      help: 'Files recorded but no longer found on disk',
      registers: [this.registry],
      async collect() {
        this.set((await pipeline.stats()).files.missing);
      },
    });
  }
}
