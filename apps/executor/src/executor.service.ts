import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Messaging } from '@crateflow/messaging';
import type { Logger } from '@crateflow/observability';
import { CONFIG, LOGGER, MESSAGING } from '@crateflow/service-host';
import type { DataSource } from 'typeorm';
import { JournalRepository } from './journal/journal.repository';
import { killHooksFromEnv } from './protocol/fault-hooks';
import { NatsExecutionEvents } from './runs/execution-events.repository';
import { ExecutionRunner } from './runs/execution-runner';

/**
 * Owns the execution runner for the life of the process: reconcile and resume at start-up, stop the
 * batch cleanly on SIGTERM/SIGINT (the file in hand finishes or rolls back; the rest resumes later).
 */
@Injectable()
export class ExecutorService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly journal: JournalRepository;
  readonly runner: ExecutionRunner;
  private readonly onSignal = () => void this.runner.stop();

  constructor(
    @Inject('DataSource') db: DataSource,
    @Inject(MESSAGING) messaging: Messaging,
    @Inject(LOGGER) logger: Logger,
    @Inject(CONFIG) config: { EXECUTOR_PROGRESS_INTERVAL_MS: number },
  ) {
    this.journal = new JournalRepository(db);
    this.runner = new ExecutionRunner(this.journal, new NatsExecutionEvents(messaging), logger, {
      hooks: killHooksFromEnv(),
      progressIntervalMs: config.EXECUTOR_PROGRESS_INTERVAL_MS,
    });
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
