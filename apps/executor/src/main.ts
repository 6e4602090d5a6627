import { main } from '@crateflow/service-host';
import { ExecutorHandler } from './executor.handler';
import { ExecutorModule } from './executor.module';

main({ name: 'executor', configShape: {}, module: ExecutorModule, subscribers: [ExecutorHandler] });
