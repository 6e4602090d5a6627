import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SseStream } from '../http/sse';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { ExecutionCommandsRepository } from './execution-commands.repository';
import {
  AuditQuerySchema,
  CreateExecutionBodySchema,
  CreatePlanBodySchema,
  ListExecutionsQuerySchema,
  UndoBodySchema,
  type AuditQuery,
  type CreateExecutionBody,
  type CreatePlanBody,
  type ListExecutionsQuery,
  type UndoBody,
} from './executions.schemas';
import { ExecutionsService, relinkCsv } from './executions.service';

@Controller('api/v1')
export class ExecutionsController {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly bus: ExecutionCommandsRepository,
  ) {}

  @Post('executions/plans')
  async createPlan(
    @Body(new ZodValidationPipe(CreatePlanBodySchema)) body: CreatePlanBody,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.executions.createPlan(body);
    res.status(result.status);
    res.setHeader('Location', `/api/v1/executions/plans/${result.body.id}`);
    return result.body;
  }

  @Get('executions/plans/:id')
  getPlan(@Param('id', ParseUUIDPipe) id: string) {
    return this.executions.getPlan(id);
  }

  @Post('executions')
  @HttpCode(HttpStatus.ACCEPTED)
  async execute(
    @Body(new ZodValidationPipe(CreateExecutionBodySchema)) body: CreateExecutionBody,
    @Res({ passthrough: true }) res: Response,
  ) {
    const accepted = await this.executions.execute(body.planId);
    res.setHeader('Location', `/api/v1/executions/${accepted.id}`);
    return accepted;
  }

  @Get('executions')
  list(@Query(new ZodValidationPipe(ListExecutionsQuerySchema)) q: ListExecutionsQuery) {
    return this.executions.list(q);
  }

  @Get('executions/:id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.executions.get(id);
  }

  /** Live progress of one execution (SSE): `execution.run.progressed` per batch of files, then `execution.run.finished`. */
  @Get('executions/:id/events')
  async events(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response) {
    await this.executions.get(id);
    const sse = new SseStream(res, { heartbeatMs: 15_000, maxBufferedBytes: 1024 * 1024 });
    const sub = await this.bus.subscribe((subject, payload, sequence) => {
      if ((payload as { executionId?: string }).executionId === id)
        sse.send({ event: subject, data: payload, id: sequence });
    });
    const stop = () => {
      sse.close();
      void sub.stop();
    };
    if (res.destroyed || !res.socket || res.socket.destroyed) return stop();
    res.on('close', stop);
    sse.open();
  }

  @Post('executions/:id/undo')
  @HttpCode(HttpStatus.ACCEPTED)
  async undo(
    @Param('id', ParseUUIDPipe) id: string,
    @Body(new ZodValidationPipe(UndoBodySchema)) body: UndoBody,
    @Res({ passthrough: true }) res: Response,
  ) {
    const accepted = await this.executions.undo(id, body?.operationIds);
    res.setHeader('Location', `/api/v1/executions/${accepted.id}`);
    return accepted;
  }

  @Get('executions/:id/relink.json')
  relinkJson(@Param('id', ParseUUIDPipe) id: string) {
    return this.executions.relinkMap(id);
  }

  @Get('executions/:id/relink.csv')
  async relinkCsv(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response) {
    const rows = await this.executions.relinkMap(id);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="crateflow-relink-${id}.csv"`);
    res.send(relinkCsv(rows));
  }

  @Get('audit')
  audit(@Query(new ZodValidationPipe(AuditQuerySchema)) q: AuditQuery) {
    return this.executions.audit(q);
  }
}
