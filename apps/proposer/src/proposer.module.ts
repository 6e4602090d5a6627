import { Module } from '@nestjs/common';
import { ProposerHandler } from './proposer.handler';

@Module({ providers: [ProposerHandler] })
export class ProposerModule {}
