import { main } from '@crateflow/service-host';
import { executorConfigShape } from './executor.config';
import { ExecutorHandler } from './executor.handler';
import { ExecutorModule } from './executor.module';

main({ name: 'executor', configShape: executorConfigShape, module: ExecutorModule, subscribers: [ExecutorHandler] });
