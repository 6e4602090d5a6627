import { Module } from '@nestjs/common';
import { DuplicateEventsRepository } from './duplicate-events.repository';
import { DuplicateGroupRepository } from './duplicate-group.repository';
import { DuplicateResolutionRepository } from './duplicate-resolution.repository';
import { DuplicatesController } from './duplicates.controller';
import { DuplicatesService } from './duplicates.service';

/** Wiring only: the duplicates API (controller), its logic (service) and its tables and events (repositories). */
@Module({
  controllers: [DuplicatesController],
  providers: [DuplicatesService, DuplicateGroupRepository, DuplicateResolutionRepository, DuplicateEventsRepository],
})
export class DuplicatesModule {}
