import { main } from '@crateflow/service-host';
import { tracklistsConfigShape } from './tracklists.config';
import { TracklistsHandler } from './tracklists.handler';
import { TracklistsModule } from './tracklists.module';

main({
  name: 'tracklists',
  configShape: tracklistsConfigShape,
  module: TracklistsModule,
  subscribers: [TracklistsHandler],
});
