import { Module } from '@nestjs/common';
import { ExecutorHandler } from './executor.handler';
import { ExecutorService } from './executor.service';

@Module({ providers: [ExecutorService, ExecutorHandler] })
export class ExecutorModule {}
