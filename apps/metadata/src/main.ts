import { main } from '@crateflow/service-host';
import { MetadataHandler } from './metadata.handler';
import { MetadataModule } from './metadata.module';

main({ name: 'metadata', configShape: {}, module: MetadataModule, subscribers: [MetadataHandler] });
