import { Module } from '@nestjs/common';
import { LibraryPathRepository } from '../repositories/library-path.repository';
import { ScanReadRepository } from '../repositories/scan.repository';
import { LibraryOverviewRepository } from './library-overview.repository';
import { LibraryController } from './library.controller';
import { LibraryService } from './library.service';

/** Wiring only: the library overview (BPM histogram, keys, formats, sizes, duplicate waste) and its roots. */
@Module({
  controllers: [LibraryController],
  providers: [LibraryService, LibraryOverviewRepository, LibraryPathRepository, ScanReadRepository],
})
export class LibraryModule {}
