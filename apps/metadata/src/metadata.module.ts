import { Module } from '@nestjs/common';
import { MetadataHandler } from './metadata.handler';

/** Wiring only: the handler builds the service and its repositories over the host's data source. */
@Module({ providers: [MetadataHandler] })
export class MetadataModule {}
