import { Controller, Get, Header } from '@nestjs/common';
import { LibraryService } from './library.service';

@Controller('api/v1/library')
export class LibraryController {
  constructor(private readonly library: LibraryService) {}

  @Get('overview')
  @Header('Cache-Control', 'no-store')
  overview() {
    return this.library.overview();
  }

  @Get('roots')
  @Header('Cache-Control', 'no-store')
  roots() {
    return this.library.roots();
  }
}
