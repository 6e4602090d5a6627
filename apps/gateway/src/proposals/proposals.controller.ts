import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { ProblemException } from '../http/problem';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import {
  BulkBodySchema,
  DecisionBodySchema,
  EditBodySchema,
  GenerationBodySchema,
  ListProposalsQuerySchema,
  PreviewQuerySchema,
  type BulkBody,
  type EditBody,
  type GenerationBody,
  type ListProposalsQuery,
  type ProposalView,
} from './proposals.schemas';
import { ProposalsService, etagOf } from './proposals.service';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => ProblemException.validation([{ location: 'path', field: 'id', message: 'not a UUID' }]),
});

/** If-Match is required on every single-proposal change, so two reviewers never overwrite each other. */
function requireIfMatch(value: string | undefined): string {
  if (!value) {
    throw new ProblemException({
      status: HttpStatus.PRECONDITION_REQUIRED,
      detail: 'send the ETag you read in If-Match (GET the proposal first)',
    });
  }
  return value;
}

function withEtag(res: Response, view: ProposalView): ProposalView {
  res.setHeader('ETag', etagOf(view.id, view.version));
  return view;
}

/**
 * Proposals and their review: list, detail, approve/reject (decision), edit, undo, bulk decisions,
 * generation requests and the preview tree. Thin: the service decides, the repository stores.
 */
@Controller('api/v1/proposals')
export class ProposalsController {
  constructor(private readonly proposals: ProposalsService) {}

  @Get()
  list(@Query(new ZodValidationPipe(ListProposalsQuerySchema)) query: ListProposalsQuery) {
    return this.proposals.list(query);
  }

  @Post('generations')
  @HttpCode(HttpStatus.ACCEPTED)
  generate(@Body(new ZodValidationPipe(GenerationBodySchema)) body: GenerationBody) {
    return this.proposals.requestGeneration(body);
  }

  @Get('generations/:id')
  generation(@Param('id', uuid) id: string) {
    return this.proposals.generation(id);
  }

  @Get('preview')
  preview(@Query(new ZodValidationPipe(PreviewQuerySchema)) query: { status: 'approved' | 'pending' }) {
    return this.proposals.preview(query.status);
  }

  @Post('decisions')
  @HttpCode(HttpStatus.OK)
  bulk(@Body(new ZodValidationPipe(BulkBodySchema)) body: BulkBody) {
    return this.proposals.bulk(body);
  }

  @Get(':id')
  async detail(@Param('id', uuid) id: string, @Res({ passthrough: true }) res: Response) {
    const d = await this.proposals.detail(id);
    res.setHeader('ETag', etagOf(d.id, d.version));
    return d;
  }

  @Put(':id/decision')
  async decide(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(DecisionBodySchema)) body: { decision: 'approved' | 'rejected' },
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return withEtag(res, await this.proposals.decide(id, body.decision, requireIfMatch(ifMatch)));
  }

  @Patch(':id')
  async edit(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(EditBodySchema)) body: EditBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return withEtag(res, await this.proposals.edit(id, body, requireIfMatch(ifMatch)));
  }

  @Post(':id/undo')
  @HttpCode(HttpStatus.OK)
  async undo(
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return withEtag(res, await this.proposals.undo(id, requireIfMatch(ifMatch)));
  }
}
