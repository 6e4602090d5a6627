import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Consumers } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { stageWorkMetrics } from '@crateflow/observability';
import {
  CONFIG,
  MESSAGING,
  METRICS,
  pipelineStageSubscription,
  type MessageSubscriber,
  type Subscription,
} from '@crateflow/service-host';
import type { MetadataConfig } from './metadata.config';
import { MetadataService, type MetadataOutcome } from './metadata.service';
import { CompanionRepository } from './repositories/companion.repository';
import { FileLookupRepository } from './repositories/file-lookup.repository';
import { FileMetadataRepository } from './repositories/file-metadata.repository';
import { MediaReaderRepository, inProcessTagReader, type TagReader } from './repositories/media-reader.repository';
import { TagReaderPool } from './tags';

/** Builds the stage's service over a data source (the handler, tests and the benchmark share this). */
export function createMetadataService(
  db: DataSource,
  config: MetadataConfig,
  options: { tagReader?: TagReader; observe?: (o: MetadataOutcome) => void } = {},
): MetadataService {
  return new MetadataService(
    new FileLookupRepository(db),
    new FileMetadataRepository(db),
    new CompanionRepository(db),
    new MediaReaderRepository(
      options.tagReader ??
        inProcessTagReader({ maxBytes: config.METADATA_MAX_BYTES, timeoutMs: config.METADATA_TIMEOUT_MS }),
      { companionMaxBytes: config.METADATA_COMPANION_MAX_BYTES },
    ),
    options.observe,
  );
}

/**
 * file.ingest.discovered/changed → the metadata stage. Announces `started`, then `completed` (tags read,
 * companion parsed) or `skipped` (the event is about content the file no longer has). An unreadable file
 * ends as `failed` with the reason at once; the consumer carries on with the next file.
 */
@Injectable()
export class MetadataHandler implements MessageSubscriber, OnModuleDestroy {
  readonly service: MetadataService;
  /**
   * Tags are read on worker threads: parsing never blocks the event loop (NATS heartbeats, health), and
   * a parser that hangs or eats memory is stopped and its file failed with a reason.
   */
  private readonly tagReader: TagReaderPool;

  constructor(
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject('DataSource') db: DataSource,
    @Inject(CONFIG) config: MetadataConfig,
    @Inject(METRICS) registry: Registry,
  ) {
    const { filesProcessed } = stageWorkMetrics(registry);
    this.tagReader = new TagReaderPool({ maxBytes: config.METADATA_MAX_BYTES, timeoutMs: config.METADATA_TIMEOUT_MS });
    this.service = createMetadataService(db, config, {
      tagReader: this.tagReader,
      observe: (o) => filesProcessed.inc({ stage: 'metadata', outcome: outcomeLabel(o) }),
    });
  }

  /** After the host has stopped the consumers (in-flight reads are done), the workers go. */
  async onModuleDestroy(): Promise<void> {
    await this.tagReader.close();
  }

  subscriptions(): Subscription[] {
    const stage = pipelineStageSubscription({
      stage: 'metadata',
      consumer: Consumers.metadata,
      messaging: this.messaging,
      process: (input, ctx) => this.service.process(input, ctx),
      recordFailure: (input, error) => this.service.recordFailure(input, error),
    });
    return [stage];
  }
}

function outcomeLabel(o: MetadataOutcome): string {
  if (o.kind === 'media') return o.result === 'read' ? 'tags_read' : `unreadable_${o.failureKind}`;
  return o.result === 'parsed' ? 'companion_parsed' : `companion_${o.failureKind}`;
}
