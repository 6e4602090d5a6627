import { Module } from '@nestjs/common';
import { CompanionsPartSource } from './companions.part';
import { TagsPartSource } from './tags.part';

/** The metadata stage's parts of the file detail (tags, companions), read from its tables. */
@Module({ providers: [TagsPartSource, CompanionsPartSource], exports: [TagsPartSource, CompanionsPartSource] })
export class GatewayMetadataModule {}
