import { main } from '@crateflow/service-host';
import { fingerprintConfigShape } from './fingerprint.config';
import { FingerprintHandler } from './fingerprint.handler';
import { FingerprintModule } from './fingerprint.module';

main({
  name: 'fingerprint',
  configShape: fingerprintConfigShape,
  module: FingerprintModule,
  subscribers: [FingerprintHandler],
});
