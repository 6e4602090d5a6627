import { Controller, Get, Header } from '@nestjs/common';
import { PipelineService } from './pipeline.service';

@Controller('api/v1/pipeline')
export class PipelineController {
  constructor(private readonly pipeline: PipelineService) {}

  @Get('stats')
  @Header('Cache-Control', 'no-store')
  stats() {
    return this.pipeline.stats();
  }
}
