import { Module } from '@nestjs/common';
import { MetadataHandler } from './metadata.handler';

@Module({ providers: [MetadataHandler] })
export class MetadataModule {}
