import { main } from '@crateflow/service-host';
import { metadataConfigShape } from './metadata.config';
import { MetadataHandler } from './metadata.handler';
import { MetadataModule } from './metadata.module';

main({ name: 'metadata', configShape: metadataConfigShape, module: MetadataModule, subscribers: [MetadataHandler] });
