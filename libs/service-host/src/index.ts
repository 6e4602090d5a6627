export * from './tokens';
export * from './run-service';
export * from './stage-subscription';
export { OpsController, HEALTH_CHECKS } from './ops.controller';
