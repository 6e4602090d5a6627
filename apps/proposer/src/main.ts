import { main } from '@crateflow/service-host';
import { ProposerHandler } from './proposer.handler';
import { ProposerModule } from './proposer.module';

main({ name: 'proposer', configShape: {}, module: ProposerModule, subscribers: [ProposerHandler] });
