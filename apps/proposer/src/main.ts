import { main } from '@crateflow/service-host';
import { proposerConfigShape } from './proposer.config';
import { ProposerHandler } from './proposer.handler';
import { ProposerModule } from './proposer.module';

main({ name: 'proposer', configShape: proposerConfigShape, module: ProposerModule, subscribers: [ProposerHandler] });
