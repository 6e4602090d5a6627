import { Module } from '@nestjs/common';
import { AnalysisHandler } from './analysis.handler';

/** Wiring only: the handler builds the service and its repositories over the host's data source. */
@Module({ providers: [AnalysisHandler] })
export class AnalysisModule {}
