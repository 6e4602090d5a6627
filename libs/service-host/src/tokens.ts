/** Injection tokens for what the service host provides to every app module. */
export const CONFIG = Symbol('crateflow.config');
export const LOGGER = Symbol('crateflow.logger');
export const METRICS = Symbol('crateflow.metrics-registry');
export const MESSAGING = Symbol('crateflow.messaging');
export const SERVICE_NAME = Symbol('crateflow.service-name');
/** Providers registered under this token are asked for their subscriptions once the app is up. */
export const MESSAGE_HANDLERS = Symbol('crateflow.message-handlers');
