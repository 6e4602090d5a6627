import { main } from '@crateflow/service-host';
import { FingerprintHandler } from './fingerprint.handler';
import { FingerprintModule } from './fingerprint.module';

main({ name: 'fingerprint', configShape: {}, module: FingerprintModule, subscribers: [FingerprintHandler] });
