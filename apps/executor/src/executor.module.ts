import { Module } from '@nestjs/common';
import { ExecutorHandler } from './executor.handler';

@Module({ providers: [ExecutorHandler] })
export class ExecutorModule {}
