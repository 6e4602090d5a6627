import { Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { IdentifyService } from './identify.service';

/**
 * Excerpt look-up: the request body is the audio itself (any format ffmpeg reads; Content-Type audio/*,
 * video/* or application/octet-stream), e.g. `curl --data-binary @clip.mp3 -H 'Content-Type: audio/mpeg'`.
 */
@Controller('api/v1/identify')
export class IdentifyController {
  constructor(private readonly identifyService: IdentifyService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  identify(@Req() req: Request) {
    const length = req.headers['content-length'];
    return this.identifyService.identify(req, length === undefined ? undefined : Number(length));
  }
}
