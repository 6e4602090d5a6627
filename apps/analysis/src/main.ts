import { main } from '@crateflow/service-host';
import { AnalysisHandler } from './analysis.handler';
import { AnalysisModule } from './analysis.module';

main({ name: 'analysis', configShape: {}, module: AnalysisModule, subscribers: [AnalysisHandler] });
