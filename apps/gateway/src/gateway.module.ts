import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AnalysisPartSource } from './analysis/analysis.part';
import { GatewayAnalysisModule } from './analysis/gateway-analysis.module';
import { DuplicatesModule } from './duplicates/duplicates.module';
import { ExecutionsModule } from './executions/executions.module';
import { FingerprintPartSource } from './fingerprint/fingerprint.part';
import { GatewayFingerprintModule } from './fingerprint/gateway-fingerprint.module';
import { IdentifyModule } from './identify/identify.module';
import { LibraryModule } from './library/library.module';
import { SessionModule } from './session/session.module';
import { MixesModule } from './mixes/mixes.module';
import { ProposalsModule } from './proposals/proposals.module';
import { GatewayTracklistsModule } from './tracklists/tracklists.module';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { FilesController } from './files/files.controller';
import { FilesService } from './files/files.service';
import { ApiTokenGuard } from './http/api-token.guard';
import { PipelineController } from './pipeline/pipeline.controller';
import { PipelineMetrics } from './pipeline/pipeline.metrics';
import { PipelineService } from './pipeline/pipeline.service';
import { AcceptedScanRepository } from './repositories/accepted-scan.repository';
import { EventBusRepository } from './repositories/event-bus.repository';
import {
  FILE_DETAIL_PART_SOURCES,
  detailPartSources,
  type FileDetailPartSource,
} from './repositories/file-detail-parts';
import { FileHistoryReadRepository } from './repositories/file-history.repository';
import { FileReadRepository } from './repositories/file.repository';
import { FileStageStatusReadRepository } from './repositories/file-stage-status.repository';
import { CompanionsPartSource } from './metadata/companions.part';
import { GatewayMetadataModule } from './metadata/gateway-metadata.module';
import { TagsPartSource } from './metadata/tags.part';
import { LibraryPathRepository } from './repositories/library-path.repository';
import { PipelineStatsRepository } from './repositories/pipeline-stats.repository';
import { ScanReadRepository } from './repositories/scan.repository';
import { ScansController } from './scans/scans.controller';
import { ScansService } from './scans/scans.service';

/** Wiring only: controllers (HTTP), services (logic), repositories (tables, NATS, the file system). */
@Module({
  imports: [
    DuplicatesModule,
    GatewayMetadataModule,
    GatewayAnalysisModule,
    GatewayFingerprintModule,
    MixesModule,
    IdentifyModule,
    GatewayTracklistsModule,
    LibraryModule,
    SessionModule,
    ProposalsModule,
    ExecutionsModule,
  ],
  controllers: [ScansController, FilesController, PipelineController, EventsController],
  providers: [
    { provide: APP_GUARD, useClass: ApiTokenGuard },
    ScansService,
    FilesService,
    PipelineService,
    PipelineMetrics,
    EventsService,
    AcceptedScanRepository,
    ScanReadRepository,
    FileReadRepository,
    FileStageStatusReadRepository,
    FileHistoryReadRepository,
    PipelineStatsRepository,
    LibraryPathRepository,
    EventBusRepository,
    // Later stages add their read repository here (tags, analysis, fingerprint, companions, proposal).
    {
      provide: FILE_DETAIL_PART_SOURCES,
      useFactory: (...real: FileDetailPartSource[]) => detailPartSources(real),
      inject: [TagsPartSource, CompanionsPartSource, AnalysisPartSource, FingerprintPartSource],
    },
  ],
})
export class GatewayModule {}
