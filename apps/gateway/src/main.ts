import { main } from '@crateflow/service-host';
import { configureGatewayApp } from './gateway.app';
import { gatewayConfigShape } from './gateway.config';
import { GatewayModule } from './gateway.module';

/** The gateway definition, shared by the process entry point and in-process tests. */
export const gatewayService = {
  name: 'gateway',
  configShape: gatewayConfigShape,
  module: GatewayModule,
  migrate: true,
  configureApp: configureGatewayApp,
} as const;

if (require.main === module) main(gatewayService);
