export {
  Messaging,
  type MessagingOptions,
  type PublishOptions,
  type PublishResult,
  type ProvisionReport,
  liveStartSequence,
  MAX_LIVE_REPLAY,
} from './messaging';
export { TransientError, PermanentError, InvalidPayloadError, readableReason } from './errors';
export { jsonConsoleLogger, type MessagingLogger } from './logger';
export { MessagingMetrics, type MessageOutcome } from './metrics';
export { DUPLICATE_WINDOW_MS, consumerConfigFor, streamConfigFor, type ProvisionResult } from './provision';
export { isSubject } from './guards';
export type {
  ConsumeOptions,
  ConsumerHandle,
  ContextOf,
  DeadLetterEvent,
  DeadLetterReason,
  HandlerContext,
  LiveMessage,
  LiveSubscription,
  MessageHandler,
  StopOptions,
} from './types';
export { sharedBucketName, type KV, type SharedBucketOptions } from './shared-state';
