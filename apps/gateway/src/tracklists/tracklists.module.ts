import { Module } from '@nestjs/common';
import { TracklistDecisionsRepository } from './tracklist-decisions.repository';
import { TracklistRequestsRepository } from './tracklist-requests.repository';
import { TracklistsController } from './tracklists.controller';
import { TracklistsReadRepository } from './tracklists-read.repository';
import { GatewayTracklistsService } from './tracklists.service';

/** Wiring only: tracklist reads, person-made decisions and look-up commands. */
@Module({
  controllers: [TracklistsController],
  providers: [
    GatewayTracklistsService,
    TracklistsReadRepository,
    TracklistDecisionsRepository,
    TracklistRequestsRepository,
  ],
})
export class GatewayTracklistsModule {}
