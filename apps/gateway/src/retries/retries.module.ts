import { Module } from '@nestjs/common';
import { EventBusRepository } from '../repositories/event-bus.repository';
import { FailedStagesRepository } from './failed-stages.repository';
import { RetriesController } from './retries.controller';
import { RetriesService } from './retries.service';

/** Wiring only: retrying the files a stage failed (POST /api/v1/pipeline/retries). */
@Module({
  controllers: [RetriesController],
  providers: [RetriesService, FailedStagesRepository, EventBusRepository],
})
export class RetriesModule {}
