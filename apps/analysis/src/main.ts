import { main } from '@crateflow/service-host';
import { analysisConfigShape } from './analysis.config';
import { AnalysisHandler } from './analysis.handler';
import { AnalysisModule } from './analysis.module';

main({ name: 'analysis', configShape: analysisConfigShape, module: AnalysisModule, subscribers: [AnalysisHandler] });
