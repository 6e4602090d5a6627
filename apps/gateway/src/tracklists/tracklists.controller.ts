import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { contentDisposition } from '../mixes/mixes.controller';
import {
  ListTracklistsQuerySchema,
  RejectBelowBodySchema,
  ReviewBodySchema,
  ScrapeBodySchema,
  SearchBodySchema,
  TrackEditBodySchema,
  type ListTracklistsQuery,
  type TrackEditBody,
} from './tracklists.schemas';
import { GatewayTracklistsService } from './tracklists.service';

const VersionQuerySchema = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const CueQuerySchema = z.strictObject({ fileId: z.uuid().optional() });

/**
 * Tracklists of sets: from 1001Tracklists (searched and read by the tracklists service on request), from a mix's
 * fingerprints and from its cue sheets. Reviews, links and track edits are a person's decisions, stored here;
 * look-ups are commands (202) whose outcome arrives as `tracklist.*` events on /api/v1/events.
 */
@Controller('api/v1')
export class TracklistsController {
  constructor(private readonly tracklists: GatewayTracklistsService) {}

  @Get('tracklists')
  list(@Query(new ZodValidationPipe(ListTracklistsQuerySchema)) q: ListTracklistsQuery) {
    return this.tracklists.list(q);
  }

  @Post('tracklists/searches')
  @HttpCode(HttpStatus.ACCEPTED)
  search(@Body(new ZodValidationPipe(SearchBodySchema)) body: z.output<typeof SearchBodySchema>) {
    return this.tracklists.search(body.fileId, body.query);
  }

  @Post('tracklists/scrapes')
  @HttpCode(HttpStatus.ACCEPTED)
  scrape(@Body(new ZodValidationPipe(ScrapeBodySchema)) body: z.output<typeof ScrapeBodySchema>) {
    return this.tracklists.scrape(body.url, body.fileId);
  }

  @Get('mixes/:fileId/tracklists')
  forMix(@Param('fileId') fileId: string) {
    return this.tracklists.forMix(fileId);
  }

  @Get('tracklists/:id')
  detail(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(VersionQuerySchema)) q: z.output<typeof VersionQuerySchema>,
  ) {
    return this.tracklists.detail(id, q.version);
  }

  @Post('tracklists/:id/rescrape')
  @HttpCode(HttpStatus.ACCEPTED)
  rescrape(@Param('id') id: string) {
    return this.tracklists.rescrape(id);
  }

  @Put('tracklists/:id/review')
  review(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(ReviewBodySchema)) body: z.output<typeof ReviewBodySchema>,
  ) {
    return this.tracklists.review(id, body.status);
  }

  @Put('tracklists/:id/links/:fileId')
  link(@Param('id') id: string, @Param('fileId') fileId: string) {
    return this.tracklists.link(id, fileId, true);
  }

  @Delete('tracklists/:id/links/:fileId')
  unlink(@Param('id') id: string, @Param('fileId') fileId: string) {
    return this.tracklists.link(id, fileId, false);
  }

  @Patch('tracklists/:id/tracks/:trackId')
  editTrack(
    @Param('id') id: string,
    @Param('trackId') trackId: string,
    @Body(new ZodValidationPipe(TrackEditBodySchema)) body: TrackEditBody,
  ) {
    return this.tracklists.editTrack(id, trackId, body);
  }

  @Delete('tracklists/:id/tracks/:trackId')
  @HttpCode(HttpStatus.NO_CONTENT)
  async deleteTrack(@Param('id') id: string, @Param('trackId') trackId: string) {
    await this.tracklists.deleteTrack(id, trackId);
  }

  @Post('tracklists/:id/track-rejections')
  rejectBelow(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(RejectBelowBodySchema)) body: z.output<typeof RejectBelowBodySchema>,
  ) {
    return this.tracklists.rejectBelow(id, body.belowConfidence);
  }

  @Get('tracklists/:id/cue-sheet')
  async cue(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(CueQuerySchema)) q: z.output<typeof CueQuerySchema>,
    @Res() res: Response,
  ) {
    const { fileName, sheet } = await this.tracklists.cueSheet(id, q.fileId);
    res.setHeader('Content-Type', 'application/x-cue; charset=utf-8');
    res.setHeader('Content-Disposition', contentDisposition(fileName));
    res.send(sheet);
  }

  @Get('tracklists/:id/text')
  async text(@Param('id') id: string, @Res() res: Response) {
    const { fileName, text } = await this.tracklists.plainText(id);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Disposition', contentDisposition(fileName));
    res.send(text);
  }
}
