import { checkProposedPath, destinationKey, type ProposalSource } from '@crateflow/contracts';
import type { LlmProposer } from './llm/llm-proposer';
import type { DiskListingRepository } from './repositories/disk-listing.repository';
import type { ContextFile, ProposalContextRepository } from './repositories/proposal-context.repository';
import type { ProposalRepository } from './repositories/proposal.repository';
import type { Facts, ProposalContext } from './rules/facts';
import type { RuleEngine } from './rules/rule-engine';

export type FileOutcome =
  | {
      fileId: string;
      contentHash: string;
      outcome: 'generated';
      proposalId: string;
      source: ProposalSource;
      valid: boolean;
    }
  | { fileId: string; contentHash: string; outcome: 'unchanged' }
  | { fileId: string; contentHash: string | null; outcome: 'skipped'; reason: string };

interface Candidate {
  folder: string | null;
  name: string;
  confidence: number;
  reason: string;
  facts: Facts;
  source: ProposalSource;
  model: string | null;
}

/** Why a file gets no proposal at all, or null when it gets one. */
export function skipReason(f: ContextFile, expectedHash?: string): string | null {
  if (expectedHash && f.contentHash !== expectedHash) {
    return 'the file changed after this event; its new content gets a proposal on its own event';
  }
  if (f.context.file.kind === 'companion')
    return 'a companion file travels with its media file and is not named on its own';
  if (f.missing) return 'the file is missing from disk';
  if (f.state === 'DUPLICATE_RESOLVED') return 'a duplicate already resolved in favour of another copy';
  if (f.state === 'EXECUTED') return 'the file was already moved by an executed plan';
  if (f.metadataFailure) return `its metadata could not be read (${f.metadataFailure}); fix the file and scan again`;
  if (f.context.file.ext === '') return 'the file has no extension to keep';
  return null;
}

/**
 * The proposer stage: for each file, a name and folder from the LLM (when configured) or the built-in
 * rules, validated, checked for collisions, and stored with the exact context it came from. Free of NATS:
 * the handler publishes what the outcomes say.
 */
export class ProposerService {
  constructor(
    private readonly deps: {
      contexts: ProposalContextRepository;
      proposals: ProposalRepository;
      disk: DiskListingRepository;
      rules: RuleEngine;
      llm: LlmProposer | null;
      batchSize: number;
      observe?: (outcome: string) => void;
    },
  ) {}

  /**
   * Proposes for the given files. `expectedHashes` (the pipeline path) skips a file whose content changed
   * since its event. A proposal a person decided is never replaced; a pending one only with `regenerate`.
   */
  async proposeFiles(
    fileIds: string[],
    options: { generationId?: string | null; regenerate?: boolean; expectedHashes?: Map<string, string> } = {},
  ): Promise<FileOutcome[]> {
    const observe = this.deps.observe ?? (() => undefined);
    const loaded = await this.deps.contexts.load(fileIds);
    const outcomes: FileOutcome[] = [];
    const todo: ContextFile[] = [];
    for (const id of fileIds) {
      const f = loaded.get(id);
      if (!f) {
        outcomes.push({ fileId: id, contentHash: null, outcome: 'skipped', reason: 'the file is not recorded' });
        continue;
      }
      const skip = skipReason(f, options.expectedHashes?.get(id));
      if (skip) {
        observe('skipped');
        outcomes.push({ fileId: id, contentHash: f.contentHash, outcome: 'skipped', reason: skip });
        continue;
      }
      const live = await this.deps.proposals.liveFor(id);
      if (live && live.contentHash === f.contentHash && (live.decided || !options.regenerate)) {
        observe('unchanged');
        outcomes.push({ fileId: id, contentHash: f.contentHash, outcome: 'unchanged' });
        continue;
      }
      todo.push(f);
    }

    for (let i = 0; i < todo.length; i += this.deps.batchSize) {
      const batch = todo.slice(i, i + this.deps.batchSize);
      const candidates = await this.candidates(batch);
      for (const f of batch) {
        const outcome = await this.store(f, candidates.get(f.context.file.id)!, options.generationId ?? null);
        observe(
          outcome.outcome === 'generated'
            ? outcome.valid
              ? `proposed_${outcome.source}`
              : 'invalid'
            : outcome.outcome,
        );
        outcomes.push(outcome);
      }
    }
    return outcomes;
  }

  /**
   * A tagged file was just proposed: the untagged encodings of its recording that were proposed before it
   * was known (kept their name, no artist) and that no person has touched are proposed again, now named
   * after it. A repeat finds none left.
   */
  async proposeNamelessSiblings(fileId: string): Promise<FileOutcome[]> {
    const ids = await this.deps.proposals.namelessSiblingsOf(fileId);
    return ids.length ? this.proposeFiles(ids, { regenerate: true }) : [];
  }

  private fromRules(ctx: ProposalContext, source: ProposalSource, why?: string): Candidate {
    const r = this.deps.rules.propose(ctx);
    return {
      folder: r.folder,
      name: r.name,
      confidence: r.confidence,
      reason: why ? `${why}; rules: ${r.reason}` : r.reason,
      facts: r.facts as Facts,
      source,
      model: null,
    };
  }

  private async candidates(batch: ContextFile[]): Promise<Map<string, Candidate>> {
    const out = new Map<string, Candidate>();
    const llm = this.deps.llm;
    if (!llm) {
      for (const f of batch) out.set(f.context.file.id, this.fromRules(f.context, 'rules'));
      return out;
    }
    const result = await llm.proposeBatch(batch.map((f) => f.context));
    for (const f of batch) {
      const id = f.context.file.id;
      if (!result.ok) {
        out.set(id, this.fromRules(f.context, 'rules-fallback', result.reason));
        continue;
      }
      const a = result.answers.get(id);
      if (!a) {
        out.set(id, this.fromRules(f.context, 'rules-fallback', 'the LLM gave no answer for this file'));
        continue;
      }
      const check = checkProposedPath(a.folder, a.name, f.context.file.ext);
      if (!check.ok) {
        // An LLM answer that would leave the output folder (or cannot be made valid) is not trusted at all.
        out.set(id, this.fromRules(f.context, 'rules-fallback', `the LLM proposed an invalid path (${check.reason})`));
        continue;
      }
      out.set(id, {
        folder: a.folder,
        name: a.name,
        confidence: a.confidence,
        reason: a.reason,
        facts: (a.facts ?? {}) as Facts,
        source: 'llm',
        model: llm.modelName,
      });
    }
    return out;
  }

  private async store(f: ContextFile, c: Candidate, generationId: string | null): Promise<FileOutcome> {
    const ctx = f.context;
    const check = checkProposedPath(c.folder, c.name, ctx.file.ext);
    let folder = check.folder;
    let name = check.name;
    let reason = c.reason;
    let confidence = c.confidence;
    if (check.ok && check.repairs.length) reason += `; repaired: ${check.repairs.join(', ')}`;
    const invalidReason = check.ok ? null : check.reason;
    if (!check.ok) {
      folder = null;
      name = ctx.file.name;
    }
    return this.deps.proposals.transaction(async (tx) => {
      let key = destinationKey(folder, name, f.folder);
      if (!invalidReason) await tx.lockDestination(key);
      const occupants = invalidReason ? [] : await tx.occupantsOf(key, ctx.file.id);
      const copy = occupants.find((o) => o.contentHash === f.contentHash);
      if (copy) {
        // Exact copies of one content are never proposed onto one destination.
        reason = `an exact copy (${copy.path}) is already proposed for ${folder ? `${folder}/` : ''}${name}; resolve the duplicate first`;
        folder = null;
        name = ctx.file.name;
        confidence = Math.min(confidence, 0.05);
        key = destinationKey(folder, name, f.folder);
      }
      const disk = invalidReason ? null : await this.deps.disk.collision(f.root, f.folder, ctx.file.name, folder, name);
      const live = await tx.liveFor(ctx.file.id);
      if (live) {
        if (live.decided && live.contentHash === f.contentHash)
          return { fileId: ctx.file.id, contentHash: f.contentHash, outcome: 'unchanged' };
        await tx.supersede(live.id);
      }
      const proposalId = await tx.insert({
        fileId: ctx.file.id,
        contentHash: f.contentHash,
        generationId,
        status: invalidReason ? 'invalid' : 'pending',
        source: c.source,
        model: c.model,
        originalPath: ctx.file.path,
        proposedFolder: folder,
        proposedName: name,
        destinationKey: key,
        confidence: Math.round(Math.max(0, Math.min(1, confidence)) * 100) / 100,
        facts: c.facts as Record<string, unknown>,
        reason,
        context: ctx as unknown as Record<string, unknown>,
        invalidReason,
        diskCollision: disk,
      });
      return {
        fileId: ctx.file.id,
        contentHash: f.contentHash,
        outcome: 'generated',
        proposalId,
        source: c.source,
        valid: !invalidReason,
      };
    });
  }
}
