import { Module } from '@nestjs/common';
import { TracklistsHandler } from './tracklists.handler';

@Module({ providers: [TracklistsHandler] })
export class TracklistsModule {}
