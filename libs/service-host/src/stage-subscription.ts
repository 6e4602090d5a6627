import type { z } from 'zod';
import {
  messageId,
  stageSubject,
  type ConsumerDeclaration,
  type FileKind,
  type PipelineStage,
  type SubjectDefinition,
} from '@crateflow/contracts';
import { readableReason, type Messaging } from '@crateflow/messaging';
import type { HandlerContext } from '@crateflow/messaging';
import { subscribe, type Subscription } from './run-service';

/** What every trigger of a per-file stage carries: an ingest event, or the previous stage's outcome. */
export interface StageTriggerPayload {
  fileId: string;
  contentHash: string;
  generation?: number;
  /** On ingest events. */
  kind?: FileKind;
  /** On a previous stage's `skipped`/`failed`. */
  reason?: string;
}

/** A consumer every subject of which triggers a stage: the compiler checks each payload has a file in it. */
export interface StageConsumer extends ConsumerDeclaration {
  readonly handles: readonly SubjectDefinition<z.ZodType<StageTriggerPayload>>[];
}

/** What a per-file stage is given: the file and its content, plus how the previous stage went. */
export interface StageInput {
  fileId: string;
  contentHash: string;
  /** The file's round through the chain (see contracts); absent only on messages from before it existed. */
  generation?: number;
  /** Present when the trigger was an ingest event; stages after metadata read it from the files table. */
  kind?: FileKind;
  upstream?: { stage: PipelineStage | 'ingest'; outcome: string; reason?: string };
}

export interface StageResult {
  outcome: 'completed' | 'skipped';
  /** Why the stage was skipped, for a person. */
  reason?: string;
}

export interface PipelineStageOptions {
  stage: PipelineStage;
  consumer: StageConsumer;
  messaging: Messaging;
  /**
   * The stage's work. Throw PermanentError (with a reason a person can read) for a verdict about the file: the
   * stage records `failed` with that reason at once. Anything else is retried, and recorded as `failed` only
   * when the last delivery fails too. Must be idempotent.
   */
  process: (input: StageInput, ctx: HandlerContext) => Promise<StageResult>;
  /** Records the stage's own failure row (its results table), if it keeps one. */
  recordFailure?: (input: StageInput, error: string) => Promise<void>;
}

/**
 * The shape every per-file stage shares: announce `started`, do the work, announce `completed` or
 * `skipped`; when the last delivery fails, announce `failed` with the error text, so the lifecycle
 * records it and the next stage still runs: a failed or skipped stage never strands a file.
 */
export function pipelineStageSubscription(options: PipelineStageOptions): Subscription {
  const { stage, messaging } = options;
  const toInput = (subject: string, payload: StageTriggerPayload): StageInput => {
    const [, upstreamStage, what] = subject.split('.');
    const { fileId, contentHash, generation, kind, reason } = payload;
    return {
      fileId,
      contentHash,
      generation,
      kind,
      upstream: { stage: upstreamStage as PipelineStage | 'ingest', outcome: what, reason },
    };
  };
  const announce = async (
    input: StageInput,
    outcome: 'started' | 'completed' | 'skipped' | 'failed',
    reason?: string,
  ) => {
    const def = stageSubject(stage, outcome);
    const { fileId, contentHash, generation } = input;
    const payload =
      outcome === 'started'
        ? { fileId, contentHash, generation, stage }
        : { fileId, contentHash, generation, stage, outcome, reason: reason?.slice(0, 2000) };
    await messaging.publish(def, payload as never, { msgId: roundMessageId(input, stage, outcome) });
  };
  return subscribe(options.consumer, {
    handle: async (ctx) => {
      const input = toInput(ctx.subject, ctx.payload);
      if (ctx.deliveryCount === 1) await announce(input, 'started');
      const result = await options.process(input, ctx);
      await announce(input, result.outcome, result.reason);
    },
    onDeadLetter: async (e) => {
      if (!e.payload) return; // an invalid payload has no file to speak of; it is in the dead-letter stream
      const input = toInput(e.subject, e.payload);
      const reason = readableReason(e.cause, e.error);
      await options.recordFailure?.(input, reason);
      await announce(input, 'failed', reason);
    },
  });
}

/**
 * The id of a stage's announcement for one round of a file: the generation makes a later round's outcome a
 * new message even when the content is the same as an earlier round's (otherwise the server drops it as a
 * duplicate inside its window and the file is stranded).
 */
export function roundMessageId(input: StageInput, stage: PipelineStage, what: string): string {
  return input.generation === undefined
    ? messageId(input.fileId, stage, what, input.contentHash)
    : messageId(input.fileId, stage, what, input.contentHash, `g${input.generation}`);
}

/** A stage whose real work arrives in a later issue: it passes every file on as skipped, saying why. */
export function notBuiltYetStage(stage: PipelineStage, consumer: StageConsumer, messaging: Messaging): Subscription {
  return pipelineStageSubscription({
    stage,
    consumer,
    messaging,
    process: async () => ({ outcome: 'skipped', reason: `the ${stage} stage is not built yet` }),
  });
}
