import { Inject, Injectable } from '@nestjs/common';
import { Consumers, Subjects, messageId, type ScanCounts } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { stageWorkMetrics, type Logger } from '@crateflow/observability';
import {
  CONFIG,
  LOGGER,
  MESSAGING,
  METRICS,
  subscribe,
  type MessageSubscriber,
  type Subscription,
} from '@crateflow/service-host';
import { splitPathList, withOutputRoot } from '@crateflow/config';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { FileRepository } from '../repositories/file.repository';
import { ScanRepository } from '../repositories/scan.repository';
import type { ingestConfigShape } from '../ingest.config';
import { ScanService, type ScanEvents } from './scan.service';

type IngestConfig = z.infer<z.ZodObject<typeof ingestConfigShape>>;

/** scan.requested → walk, hash, record, announce. The message stays in flight (working()) for the whole scan. */
@Injectable()
export class ScanHandler implements MessageSubscriber {
  constructor(
    @Inject('DataSource') private readonly db: DataSource,
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly registry: Registry,
  ) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(Consumers.ingestScans, {
        handle: async (ctx) => {
          const { scanId, path } = ctx.payload;
          const service = this.createService(() => ctx.working());
          const counts = await service.run(scanId, path, ctx.signal);
          this.logger.info({ scanId, counts }, 'scan finished');
        },
        onDeadLetter: async (e) => {
          if (!e.payload) return;
          await new ScanRepository(this.db).reject(
            e.payload.scanId,
            e.payload.path,
            `scan gave up after ${e.deliveries} attempts: ${e.error}`,
          );
        },
      }),
    ];
  }

  createService(heartbeat?: () => void): ScanService {
    const metrics = stageWorkMetrics(this.registry);
    return new ScanService(
      new FileRepository(this.db),
      new ScanRepository(this.db),
      new JetStreamScanEvents(this.messaging),
      {
        libraryRoots: withOutputRoot(
          splitPathList(this.config.CRATEFLOW_LIBRARY_ROOTS),
          this.config.CRATEFLOW_OUTPUT_ROOT,
        ),
        hashConcurrency: this.config.INGEST_HASH_CONCURRENCY,
        batchSize: this.config.INGEST_BATCH_SIZE,
        progressIntervalMs: this.config.INGEST_PROGRESS_INTERVAL_MS,
        unstableRetries: this.config.INGEST_UNSTABLE_RETRIES,
        unstableRetryDelayMs: this.config.INGEST_UNSTABLE_RETRY_DELAY_MS,
        onBytesHashed: (n) => metrics.bytesHashed.inc({ stage: 'ingest' }, n),
        heartbeat,
      },
    );
  }
}

/** Scan events published on JetStream with deterministic ids, so a resumed scan's repeats are dropped. */
export class JetStreamScanEvents implements ScanEvents {
  private progressSeq = 0;
  constructor(private readonly messaging: Messaging) {}

  async fileIngested(
    change: 'new' | 'changed',
    e: {
      fileId: string;
      scanId: string;
      contentHash: string;
      kind: 'music' | 'video' | 'companion';
      generation: number;
    },
  ) {
    const def = change === 'new' ? Subjects.fileDiscovered : Subjects.fileChanged;
    // The generation keeps a later round distinct even when the content went back to earlier bytes.
    await this.messaging.publish(def, e, {
      msgId: messageId(e.fileId, 'ingest', change, e.contentHash, `g${e.generation}`),
    });
  }
  async fileMissing(e: { fileId: string; scanId: string }) {
    await this.messaging.publish(Subjects.fileMissing, e, { msgId: messageId(e.fileId, 'missing', e.scanId) });
  }
  async scanProgressed(scanId: string, counts: ScanCounts, currentDir: string) {
    await this.messaging.publish(
      Subjects.scanProgressed,
      { scanId, counts, currentDir: currentDir.slice(0, 4096) },
      { msgId: messageId(scanId, 'progress', process.pid, this.progressSeq++) },
    );
  }
  async scanFinished(scanId: string, status: 'completed' | 'failed', counts: ScanCounts, error?: string) {
    await this.messaging.publish(
      Subjects.scanFinished,
      { scanId, status, counts, error: error?.slice(0, 2000) },
      { msgId: messageId(scanId, 'finished') },
    );
  }
}
