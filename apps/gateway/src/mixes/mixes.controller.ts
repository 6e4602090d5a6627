import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { BulkIdentifyBodySchema, type BulkIdentifyBody } from './mixes.schemas';
import { MixesService } from './mixes.service';

/**
 * Which library tracks play inside a mix. A POST starts a job in the fingerprint service (202); its progress
 * arrives as `mix.identify.*` events on /api/v1/events, and the stored timeline is read here.
 */
@Controller('api/v1/mixes')
export class MixesController {
  constructor(private readonly mixes: MixesService) {}

  /** Identify many mixes: the listed files, or every present file at least minDurationSec long. */
  @Post('identify')
  @HttpCode(HttpStatus.ACCEPTED)
  identifyMany(@Body(new ZodValidationPipe(BulkIdentifyBodySchema)) body: BulkIdentifyBody) {
    return this.mixes.identifyMany(body);
  }

  @Post(':fileId/identify')
  @HttpCode(HttpStatus.ACCEPTED)
  identify(@Param('fileId') fileId: string) {
    return this.mixes.identify(fileId);
  }

  @Get(':fileId/identification')
  identification(@Param('fileId') fileId: string) {
    return this.mixes.identification(fileId);
  }

  /** Stops the newest running identification of the mix, or the job given by ?jobId= (also a queued one). */
  @Delete(':fileId/identification')
  @HttpCode(HttpStatus.ACCEPTED)
  cancel(@Param('fileId') fileId: string, @Query('jobId') jobId?: string) {
    return this.mixes.cancel(fileId, jobId);
  }

  /** The newest finished timeline as a CUE sheet, named after the mix. */
  @Get(':fileId/identification.cue')
  async cue(@Param('fileId') fileId: string, @Res() res: Response) {
    const { fileName, sheet } = await this.mixes.cueSheet(fileId);
    res.setHeader('Content-Type', 'application/x-cue; charset=utf-8');
    res.setHeader('Content-Disposition', contentDisposition(fileName));
    res.send(sheet);
  }
}

/** attachment with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
