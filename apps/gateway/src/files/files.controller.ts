import { Controller, Get, Param, Query } from '@nestjs/common';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { ListFilesQuerySchema, type ListFilesQuery } from './file.schemas';
import { FilesService } from './files.service';

@Controller('api/v1/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get()
  list(@Query(new ZodValidationPipe(ListFilesQuerySchema)) query: ListFilesQuery) {
    return this.files.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.files.get(id);
  }
}
