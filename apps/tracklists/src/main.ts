import { main } from '@crateflow/service-host';
import { TracklistsHandler } from './tracklists.handler';
import { TracklistsModule } from './tracklists.module';

main({ name: 'tracklists', configShape: {}, module: TracklistsModule, subscribers: [TracklistsHandler] });
