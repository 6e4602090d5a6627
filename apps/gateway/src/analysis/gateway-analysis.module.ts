import { Module } from '@nestjs/common';
import { AnalysisPartSource } from './analysis.part';

/** The analysis stage's part of the file detail, read from its table. */
@Module({ providers: [AnalysisPartSource], exports: [AnalysisPartSource] })
export class GatewayAnalysisModule {}
