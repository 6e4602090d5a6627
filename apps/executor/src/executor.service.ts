import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { splitPathList } from '@crateflow/config';
import type { Messaging } from '@crateflow/messaging';
import type { Logger } from '@crateflow/observability';
import { CONFIG, LOGGER, MESSAGING, METRICS } from '@crateflow/service-host';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { JournalRepository } from './journal/journal.repository';
import { PlanSourcesRepository } from './plans/plan-sources.repository';
import { PlanRepository } from './plans/plan.repository';
import { killHooksFromEnv } from './protocol/fault-hooks';
import { ExecutionCommands } from './runs/execution-commands';
import { NatsExecutionEvents } from './runs/execution-events.repository';
import { executionMetrics, initialiseExecutionMetrics } from './runs/execution-metrics';
import { ExecutionRunner } from './runs/execution-runner';

interface ExecutorConfig {
  EXECUTOR_PROGRESS_INTERVAL_MS: number;
  CRATEFLOW_LIBRARY_ROOTS: string;
  CRATEFLOW_OUTPUT_ROOT: string;
}

/**
 * Owns the execution runner for the life of the process: reconcile and resume at start-up, stop the
 * batch cleanly on SIGTERM/SIGINT (the file in hand finishes or rolls back; the rest resumes later).
 */
@Injectable()
export class ExecutorService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly journal: JournalRepository;
  readonly runner: ExecutionRunner;
  readonly commands: ExecutionCommands;
  private readonly onSignal = () => void this.runner.stop();

  constructor(
    @Inject('DataSource') db: DataSource,
    @Inject(MESSAGING) messaging: Messaging,
    @Inject(LOGGER) logger: Logger,
    @Inject(CONFIG) config: ExecutorConfig,
    @Inject(METRICS) registry: Registry,
  ) {
    const metrics = executionMetrics(registry);
    initialiseExecutionMetrics(metrics);
    this.journal = new JournalRepository(db, (steps) => {
      for (const s of steps) {
        metrics.steps.inc({ stage: 'executor', phase: s.phase });
        if (s.phase === 'failed' && s.detail?.code === 'verify-failed') {
          metrics.verificationFailures.inc({ stage: 'executor' });
        }
      }
    });
    const events = new NatsExecutionEvents(messaging);
    this.runner = new ExecutionRunner(this.journal, events, logger, {
      hooks: killHooksFromEnv(),
      progressIntervalMs: config.EXECUTOR_PROGRESS_INTERVAL_MS,
      outputRoot: config.CRATEFLOW_OUTPUT_ROOT || null,
      onReconciled: (outcome) => metrics.reconciliations.inc({ stage: 'executor', outcome }),
      onFinished: (outcome, bytes) => {
        metrics.files.inc({ stage: 'executor', outcome });
        if (bytes) metrics.bytes.inc({ stage: 'executor' }, bytes);
      },
    });
    this.commands = new ExecutionCommands(
      this.journal,
      new PlanRepository(db),
      new PlanSourcesRepository(db),
      this.runner,
      events,
      { roots: splitPathList(config.CRATEFLOW_LIBRARY_ROOTS), outputRoot: config.CRATEFLOW_OUTPUT_ROOT || null },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    process.once('SIGTERM', this.onSignal);
    process.once('SIGINT', this.onSignal);
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    await this.runner.stop();
  }
}
