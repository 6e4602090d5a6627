import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { RetryBodySchema, type RetryBody } from './retries.schemas';
import { RetriesService } from './retries.service';

@Controller('api/v1/pipeline/retries')
export class RetriesController {
  constructor(private readonly retries: RetriesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  retry(@Body(new ZodValidationPipe(RetryBodySchema)) body: RetryBody) {
    return this.retries.retry(body);
  }
}
