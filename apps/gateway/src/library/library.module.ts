import { Module } from '@nestjs/common';
import { LibraryOverviewRepository } from './library-overview.repository';
import { LibraryController } from './library.controller';
import { LibraryService } from './library.service';

/** Wiring only: the library overview (BPM histogram, keys, formats, sizes, duplicate waste). */
@Module({
  controllers: [LibraryController],
  providers: [LibraryService, LibraryOverviewRepository],
})
export class LibraryModule {}
