import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import {
  ListDuplicatesQuerySchema,
  ResolveBodySchema,
  type ListDuplicatesQuery,
  type ResolveBody,
} from './duplicates.schemas';
import { DuplicatesService } from './duplicates.service';

/**
 * Duplicate groups (`exact:<sha256>` and `recording:<id>`) and the decisions about them. Reads are open;
 * every decision needs the API token (the gateway's guard). Nothing is ever moved or deleted here.
 */
@Controller('api/v1/duplicates')
export class DuplicatesController {
  constructor(private readonly duplicates: DuplicatesService) {}

  @Get()
  list(@Query(new ZodValidationPipe(ListDuplicatesQuerySchema)) query: ListDuplicatesQuery) {
    return this.duplicates.list(query);
  }

  /** Resolve every unresolved group with its proposed canonical member. */
  @Post('resolutions')
  @HttpCode(HttpStatus.OK)
  resolveAll() {
    return this.duplicates.resolveAll();
  }

  /** Undo every resolution in force. */
  @Delete('resolutions')
  @HttpCode(HttpStatus.OK)
  undoAll() {
    return this.duplicates.undoAll();
  }

  /** Side by side: tags and stream facts of every member, and the fields that differ. */
  @Get(':key')
  compare(@Param('key') key: string) {
    return this.duplicates.compare(key);
  }

  @Post(':key/resolution')
  @HttpCode(HttpStatus.OK)
  resolve(@Param('key') key: string, @Body(new ZodValidationPipe(ResolveBodySchema)) body: ResolveBody) {
    return this.duplicates.resolve(key, body.canonicalFileId);
  }

  @Delete(':key/resolution')
  @HttpCode(HttpStatus.NO_CONTENT)
  async undo(@Param('key') key: string) {
    await this.duplicates.undo(key);
  }
}
