import { main } from '@crateflow/service-host';
import { ingestConfigShape } from './ingest.config';
import { IngestModule } from './ingest.module';
import { LifecycleHandler } from './lifecycle/lifecycle.handler';
import { ScanHandler } from './scans/scan.handler';

main({
  name: 'ingest',
  configShape: ingestConfigShape,
  module: IngestModule,
  subscribers: [ScanHandler, LifecycleHandler],
});
