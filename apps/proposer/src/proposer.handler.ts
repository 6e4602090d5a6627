import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Consumers, Subjects, messageId, type PayloadOf, type ProposalGenerationCounts } from '@crateflow/contracts';
import { PermanentError, type Messaging } from '@crateflow/messaging';
import { stageWorkMetrics } from '@crateflow/observability';
import {
  CONFIG,
  MESSAGING,
  METRICS,
  pipelineStageSubscription,
  subscribe,
  type MessageSubscriber,
  type Subscription,
} from '@crateflow/service-host';
import { LlmProposer, type LlmObserver } from './llm/llm-proposer';
import { createChatModel } from './llm/providers';
import { LocalRequestBudget, NatsRequestBudget, type RequestBudget } from './llm/rate-budget';
import type { ProposerConfig } from './proposer.config';
import { ProposerService, type FileOutcome } from './proposer.service';
import { DiskListingRepository } from './repositories/disk-listing.repository';
import { ProposalContextRepository } from './repositories/proposal-context.repository';
import { ProposalRepository } from './repositories/proposal.repository';
import { RuleEngine } from './rules/rule-engine';
import { templatesFrom } from './rules/templates';

const LLM_CALL_OUTCOMES: Parameters<LlmObserver['call']>[0][] = [
  'ok',
  'malformed',
  'rate_limited',
  'server_error',
  'timeout',
  'network',
  'error',
];

/** Prometheus counters for the LLM: calls by outcome, tokens, and time spent waiting (budget, retries). */
export function llmMetrics(registry: Registry): LlmObserver {
  const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  const calls = get(
    'crateflow_llm_calls_total',
    () =>
      new Counter({
        name: 'crateflow_llm_calls_total',
        help: 'LLM calls by outcome',
        labelNames: ['stage', 'outcome'],
        registers: [registry],
      }),
  );
  const tokens = get(
    'crateflow_llm_tokens_total',
    () =>
      new Counter({
        name: 'crateflow_llm_tokens_total',
        help: 'LLM tokens by kind',
        labelNames: ['stage', 'kind'],
        registers: [registry],
      }),
  );
  const waits = get(
    'crateflow_llm_wait_seconds_total',
    () =>
      new Counter({
        name: 'crateflow_llm_wait_seconds_total',
        help: 'Seconds spent waiting before LLM calls (shared request budget, retry backoff)',
        labelNames: ['stage', 'why'],
        registers: [registry],
      }),
  );
  // Every label set starts at 0, so a dashboard shows 0 (not "no data") and rate() works from the first call.
  for (const outcome of LLM_CALL_OUTCOMES) calls.inc({ stage: 'proposer', outcome }, 0);
  for (const kind of ['input', 'output']) tokens.inc({ stage: 'proposer', kind }, 0);
  for (const why of ['budget', 'retry']) waits.inc({ stage: 'proposer', why }, 0);
  return {
    call: (outcome) => calls.inc({ stage: 'proposer', outcome }),
    tokens: (kind, n) => tokens.inc({ stage: 'proposer', kind }, n),
    waited: (ms, why) => waits.inc({ stage: 'proposer', why }, ms / 1000),
  };
}

/** Builds the stage's service (the handler and tests share this). */
export function createProposerService(
  db: DataSource,
  config: ProposerConfig,
  options: {
    budget?: RequestBudget;
    registry?: Registry;
    llm?: LlmProposer | null;
    observe?: (o: string) => void;
  } = {},
): ProposerService {
  const templates = templatesFrom(config.PROPOSER_TEMPLATES);
  let llm = options.llm ?? null;
  if (options.llm === undefined) {
    const chat = createChatModel(config);
    if (chat) {
      llm = new LlmProposer(
        chat.model,
        chat.name,
        templates,
        options.budget ?? new LocalRequestBudget(config.PROPOSER_LLM_RPM),
        {
          maxAttempts: config.PROPOSER_LLM_MAX_ATTEMPTS,
          observer: options.registry ? llmMetrics(options.registry) : undefined,
        },
      );
    }
  }
  return new ProposerService({
    contexts: new ProposalContextRepository(db, config.PROPOSER_COMPANION_CHARS),
    proposals: new ProposalRepository(db),
    disk: new DiskListingRepository(),
    rules: new RuleEngine(templates),
    llm,
    batchSize: llm ? config.PROPOSER_LLM_BATCH_SIZE : 50,
    observe: options.observe,
  });
}

/**
 * Gathers the files of concurrent pipeline messages into one batch (one LLM call for about ten files)
 * and hands each message its own outcome.
 */
class Batcher {
  private pending: {
    fileId: string;
    contentHash: string;
    resolve: (o: FileOutcome) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly run: (ids: string[], hashes: Map<string, string>) => Promise<FileOutcome[]>,
    private readonly size: number,
    private readonly waitMs: number,
  ) {}

  propose(fileId: string, contentHash: string): Promise<FileOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ fileId, contentHash, resolve, reject });
      if (this.pending.length >= this.size) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.waitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const ids = [...new Set(batch.map((b) => b.fileId))];
    this.run(ids, new Map(batch.map((b) => [b.fileId, b.contentHash])))
      .then((outcomes) => {
        const byId = new Map(outcomes.map((o) => [o.fileId, o]));
        for (const b of batch) b.resolve(byId.get(b.fileId)!);
      })
      .catch((e) => batch.forEach((b) => b.reject(e)));
  }
}

/**
 * file.analysis.* → a proposal per file (the stage), and proposal.generation.requested → proposals for
 * every eligible file or a selection. A file gets `completed` only once its proposal is stored, so its
 * state never claims a proposal that does not exist; skipped files say why.
 */
@Injectable()
export class ProposerHandler implements MessageSubscriber {
  readonly service: ProposerService;
  private readonly batcher: Batcher;
  private readonly logger = new Logger('proposer');

  constructor(
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject('DataSource') private readonly db: DataSource,
    @Inject(CONFIG) config: ProposerConfig,
    @Inject(METRICS) registry: Registry,
  ) {
    const { filesProcessed } = stageWorkMetrics(registry);
    // Registered with or without an LLM configured, so the dashboards' LLM panels always have their series.
    llmMetrics(registry);
    const budget: RequestBudget = {
      // The shared bucket is opened lazily: without an LLM the proposer never touches it.
      acquire: async (signal) => (await this.budget(config)).acquire(signal),
      pauseUntil: async (until) => (await this.budget(config)).pauseUntil(until),
    };
    this.service = createProposerService(db, config, {
      budget,
      registry,
      observe: (outcome) => filesProcessed.inc({ stage: 'proposer', outcome }),
    });
    const llm = config.PROPOSER_LLM_PROVIDER !== 'none';
    this.batcher = new Batcher(
      (ids, hashes) => this.service.proposeFiles(ids, { expectedHashes: hashes }),
      llm ? config.PROPOSER_LLM_BATCH_SIZE : 1,
      llm ? 1500 : 0,
    );
  }

  private budgetPromise?: Promise<RequestBudget>;
  private budget(config: ProposerConfig): Promise<RequestBudget> {
    this.budgetPromise ??= this.messaging
      .keyValue('proposer-llm-budget')
      .then((kv) => new NatsRequestBudget(kv, config.PROPOSER_LLM_RPM));
    return this.budgetPromise;
  }

  private async announce(outcome: FileOutcome, generationId?: string): Promise<void> {
    if (outcome.outcome === 'generated') {
      await this.messaging.publish(
        Subjects.proposalGenerated,
        {
          proposalId: outcome.proposalId,
          fileId: outcome.fileId,
          contentHash: outcome.contentHash,
          source: outcome.source,
          valid: outcome.valid,
          ...(generationId ? { generationId } : {}),
        },
        { msgId: messageId('proposal', outcome.proposalId) },
      );
    }
  }

  /**
   * Better names for this file's untagged encodings proposed before it. An improvement only: a failure
   * (another replica renaming the same sibling at the same moment) is logged and does not fail this file's
   * stage; the next tagged copy proposed, or a generation, tries again.
   */
  private async renameNamelessSiblings(fileId: string): Promise<void> {
    try {
      for (const sibling of await this.service.proposeNamelessSiblings(fileId)) await this.announce(sibling);
    } catch (e) {
      this.logger.warn(`could not propose again the untagged encodings of ${fileId}: ${(e as Error).message}`);
    }
  }

  subscriptions(): Subscription[] {
    const stage = pipelineStageSubscription({
      stage: 'proposer',
      consumer: Consumers.proposer,
      messaging: this.messaging,
      process: async (input) => {
        const outcome = await this.batcher.propose(input.fileId, input.contentHash);
        if (outcome.outcome === 'skipped') {
          if (outcome.contentHash === null) throw new PermanentError(`file ${input.fileId} is not recorded`);
          return { outcome: 'skipped', reason: outcome.reason };
        }
        await this.announce(outcome);
        if (outcome.outcome === 'generated' && outcome.valid) await this.renameNamelessSiblings(outcome.fileId);
        return { outcome: 'completed' };
      },
    });
    const generations = subscribe(Consumers.proposerGenerations, {
      handle: async (ctx) => {
        await this.generate(ctx.payload, () => ctx.working());
      },
      onDeadLetter: async (e) => {
        const p = e.payload;
        if (!p) return; // an invalid payload names no generation; it is kept in the dead-letter stream
        const empty = { eligible: 0, generated: 0, unchanged: 0, skipped: 0, failed: 0 };
        await new ProposalRepository(this.db).generationFinished(p.generationId, 'failed', empty, e.error);
        await this.messaging.publish(
          Subjects.proposalGenerationFinished,
          { generationId: p.generationId, status: 'failed', counts: empty, error: e.error.slice(0, 2000) },
          { msgId: messageId('generation', p.generationId, 'finished') },
        );
      },
    });
    return [stage, generations];
  }

  /** Runs one generation request to the end; resumable (a redelivery continues where the files say). */
  async generate(
    request: PayloadOf<typeof Subjects.proposalGenerationRequested>,
    working: () => void = () => undefined,
  ): Promise<ProposalGenerationCounts> {
    const repo = new ProposalRepository(this.db);
    const counts: ProposalGenerationCounts = { eligible: 0, generated: 0, unchanged: 0, skipped: 0, failed: 0 };
    if ((await repo.generationStatus(request.generationId)) === 'completed') return counts;
    await repo.generationStarted(request.generationId, request.fileIds?.length ?? null);
    const regenerate = request.regenerate ?? false;
    try {
      const pages = async function* (): AsyncGenerator<string[]> {
        if (request.fileIds) {
          for (let i = 0; i < request.fileIds.length; i += 100) yield request.fileIds.slice(i, i + 100);
          return;
        }
        let after: string | null = null;
        for (;;) {
          const ids = await repo.eligibleFileIds(after, 100, regenerate);
          if (!ids.length) return;
          yield ids;
          after = ids[ids.length - 1];
          // Without regenerate, files that got a proposal drop out of the query; keyset keeps the order anyway.
        }
      };
      for await (const ids of pages()) {
        working();
        const outcomes = await this.service.proposeFiles(ids, { generationId: request.generationId, regenerate });
        for (const o of outcomes) {
          counts.eligible++;
          if (o.outcome === 'generated') counts.generated++;
          else if (o.outcome === 'unchanged') counts.unchanged++;
          else counts.skipped++;
          await this.announce(o, request.generationId);
          await this.announceStage(o);
        }
        await repo.generationProgress(request.generationId, counts);
      }
      await repo.generationFinished(request.generationId, 'completed', counts);
      await this.messaging.publish(
        Subjects.proposalGenerationFinished,
        { generationId: request.generationId, status: 'completed', counts },
        { msgId: messageId('generation', request.generationId, 'finished') },
      );
      return counts;
    } catch (e) {
      await repo.generationProgress(request.generationId, counts);
      throw e;
    }
  }

  /** A generation outside the pipeline still records the stage's outcome, so the lifecycle follows. */
  private async announceStage(o: FileOutcome): Promise<void> {
    if (o.contentHash === null || o.outcome === 'unchanged') return;
    const outcome = o.outcome === 'generated' ? 'completed' : 'skipped';
    const def = outcome === 'completed' ? Subjects.proposer.completed : Subjects.proposer.skipped;
    await this.messaging.publish(
      def,
      {
        fileId: o.fileId,
        contentHash: o.contentHash,
        stage: 'proposer',
        outcome,
        ...(o.outcome === 'skipped' ? { reason: o.reason.slice(0, 2000) } : {}),
      },
      {
        msgId: messageId(
          o.fileId,
          'proposer',
          outcome,
          o.contentHash,
          o.outcome === 'generated' ? o.proposalId : 'skip',
        ),
      },
    );
  }
}
