import { Controller, Get } from '@nestjs/common';
import { IndexStatusService } from './index-status.service';

/**
 * The fingerprint index's generations: which one answers look-ups and how far an upgrade (a rebuild for a
 * new algorithm or layout version) got. Live progress arrives as `index.rebuild.progressed` on /api/v1/events.
 */
@Controller('api/v1/fingerprint')
export class IndexStatusController {
  constructor(private readonly status: IndexStatusService) {}

  @Get('index')
  index() {
    return this.status.status();
  }
}
