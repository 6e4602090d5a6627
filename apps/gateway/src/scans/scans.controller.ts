import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { CreateScanBodySchema, ListScansQuerySchema, type CreateScanBody, type ListScansQuery } from './scan.schemas';
import { ScansService } from './scans.service';

@Controller('api/v1/scans')
export class ScansController {
  constructor(private readonly scans: ScansService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(
    @Body(new ZodValidationPipe(CreateScanBodySchema)) body: CreateScanBody,
    @Res({ passthrough: true }) res: Response,
  ) {
    const accepted = await this.scans.request(body.path);
    res.setHeader('Location', `/api/v1/scans/${accepted.id}`);
    return accepted;
  }

  @Get()
  list(@Query(new ZodValidationPipe(ListScansQuerySchema)) query: ListScansQuery) {
    return this.scans.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.scans.get(id);
  }
}
