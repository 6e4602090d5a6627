import { Module } from '@nestjs/common';
import { ExecutionCommandsRepository } from './execution-commands.repository';
import { ExecutionReadRepository } from './execution-read.repository';
import { ExecutionsController } from './executions.controller';
import { ExecutionsService } from './executions.service';

/** Wiring only: plans, executions (with live progress), undo, relink maps and the audit log. */
@Module({
  controllers: [ExecutionsController],
  providers: [ExecutionsService, ExecutionReadRepository, ExecutionCommandsRepository],
})
export class ExecutionsModule {}
