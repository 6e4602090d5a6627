import { Module } from '@nestjs/common';
import { ProposerHandler } from './proposer.handler';

/** Wiring only: the handler builds the service and its repositories over the host's data source. */
@Module({ providers: [ProposerHandler] })
export class ProposerModule {}
