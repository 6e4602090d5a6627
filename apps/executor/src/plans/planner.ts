import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import type { ApprovedProposal } from '@crateflow/persistence';
import { lookAt, sameFileByCaseFolding } from '../protocol/file-system';
import {
  basenameBytes,
  dirnameBytes,
  displayPath,
  isCleanAbsolute,
  isWithinBytes,
  joinBytes,
  pathLengthProblem,
  toPathBytes,
} from '../protocol/path-bytes';
import type { KnownFile, PlanSourcesRepository } from './plan-sources.repository';
import type { PlanItem } from './plan.repository';

export interface PlanRequest {
  mode: 'move' | 'copy' | 'hardlink';
  proposalIds?: string[];
  /** Library roots (move mode destinations stay inside the file's own root). */
  roots: string[];
  /** Where copy and hardlink build the organised library. */
  outputRoot: string | null;
}

export interface ComputedPlan {
  items: PlanItem[];
  totals: Record<string, number>;
  proposalVersions: Record<string, number>;
}

/** The folder (relative to its root) a file is in now, as text. */
function relativeDir(file: KnownFile): string {
  const dir = displayPath(dirnameBytes(file.pathKey));
  const root = file.root.replace(/\/+$/, '');
  return dir === root ? '' : dir.slice(root.length + 1);
}

function stemOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(0, i) : name;
}

function extOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i) : '';
}

/** Deepest existing folder above `p`, resolved through symlinks. */
async function realExistingAncestor(p: Buffer): Promise<{ real: string; dev: string } | null> {
  let dir = dirnameBytes(p);
  for (;;) {
    const st = await lookAt(dir);
    if (st) {
      const real = await realpath(dir).catch(() => null);
      const target = real ? await lookAt(Buffer.from(real)) : null;
      return real && target ? { real, dev: target.dev } : null;
    }
    const up = dirnameBytes(dir);
    if (up.equals(dir)) return null;
    dir = up;
  }
}

/**
 * Computes a plan: every operation with its final path, the companions that travel along, what is blocked
 * and why, and the totals. Reads the disk (stat, realpath) but changes nothing.
 */
export async function computePlan(sources: PlanSourcesRepository, req: PlanRequest): Promise<ComputedPlan> {
  const approved = await sources.approvedProposals(req.proposalIds ? new Set(req.proposalIds) : undefined);
  const files = await sources.files(approved.map((p) => p.fileId));
  const realRoots = (await Promise.all(req.roots.map((r) => realpath(r).catch(() => null)))).filter(
    Boolean,
  ) as string[];
  const realOutput = req.outputRoot ? await realpath(req.outputRoot).catch(() => null) : null;
  const items: PlanItem[] = [];
  const claimed = new Map<string, string>(); // case-folded destination → source that claimed it
  const proposalVersions: Record<string, number> = {};

  const check = async (item: PlanItem, file: KnownFile, destinationRoot: string | null): Promise<void> => {
    const block = (reason: string) => {
      item.status = 'blocked';
      item.reason = reason;
    };
    if (file.missing) return block('source missing (the last scan did not find it)');
    const src = await lookAt(file.pathKey);
    if (!src) return block('source missing');
    if (!src.isFile) return block('the source is not a regular file');
    item.dev = src.dev;
    item.ino = src.ino;
    if (src.size !== file.size || src.mtimeMs !== file.mtimeMs)
      return block('source changed since it was hashed (rescan it)');
    const dst = item.destination!;
    if (dst.equals(file.pathKey)) {
      item.status = 'skipped';
      item.reason = 'already at its proposed place';
      return;
    }
    if (!isCleanAbsolute(dst)) return block('the destination is not a clean absolute path');
    const tooLong = pathLengthProblem(dst);
    if (tooLong) return block(`name too long for the target filesystem: ${tooLong}`);
    if (!destinationRoot)
      return block(
        'no output root is configured for copy and hardlink (npm start -- --output <dir>, or CRATEFLOW_OUTPUT_ROOT)',
      );
    const anc = await realExistingAncestor(dst);
    if (!anc || !isWithinBytes(Buffer.from(destinationRoot), Buffer.from(anc.real))) {
      return block('the destination is outside the library roots after resolving symlinks');
    }
    item.sameFilesystem = anc.dev === src.dev;
    if (req.mode === 'hardlink' && !item.sameFilesystem)
      return block('a hard link needs the output root on the same filesystem');
    const existing = await lookAt(dst);
    const caseOnly = await sameFileByCaseFolding(file.pathKey, dst, src, existing);
    if (existing && !caseOnly) return block('destination exists');
    const key = displayPath(dst).toLowerCase();
    const other = claimed.get(key);
    if (other) return block(`collides with ${other}, planned to the same destination (letter case ignored)`);
    claimed.set(key, displayPath(file.pathKey));
  };

  const destinationFor = (file: KnownFile, p: ApprovedProposal): { root: string | null; path: Buffer } => {
    const folder = p.folder ?? relativeDir(file);
    const fileRoot = realRoots.find((r) => isWithinBytes(Buffer.from(r), toPathBytes(file.root))) ?? file.root;
    const root = req.mode === 'move' ? fileRoot : realOutput;
    const base = root ?? '/nonexistent-output-root';
    const rel = [folder, p.name].filter(Boolean).join('/');
    return { root, path: Buffer.from(`${base.replace(/\/+$/, '')}/${rel}`.normalize('NFC')) };
  };

  let seq = 0;
  for (const p of approved) {
    proposalVersions[p.proposalId] = p.version;
    const file = files.get(p.fileId);
    const item: PlanItem = {
      id: randomUUID(),
      seq: seq++,
      role: 'media',
      fileId: p.fileId,
      proposalId: p.proposalId,
      parentItemId: null,
      source: file?.pathKey ?? Buffer.from(''),
      destination: null,
      size: file?.size ?? 0,
      mtimeMs: file?.mtimeMs ?? 0,
      dev: null,
      ino: null,
      contentHash: file?.contentHash ?? p.contentHash,
      sameFilesystem: null,
      status: 'ready',
      reason: null,
    };
    items.push(item);
    if (!file) {
      item.status = 'blocked';
      item.reason = 'the file is not known (not scanned)';
      continue;
    }
    if (file.contentHash !== p.contentHash) {
      item.status = 'blocked';
      item.reason = 'source changed since the proposal was approved';
      continue;
    }
    const d = destinationFor(file, p);
    item.destination = d.path;
    await check(item, file, d.root);
  }

  // Companions travel with a media file that moves, unless they belong to other files too.
  const moving = items.filter((i) => i.status === 'ready' && i.role === 'media');
  const links = await sources.companionsOf(moving.map((i) => i.fileId!));
  const companionFiles = await sources.files([...new Set(links.map((l) => l.companionFileId))]);
  const planned = new Set<string>();
  for (const media of moving) {
    for (const link of links.filter((l) => l.mediaFileId === media.fileId)) {
      const c = companionFiles.get(link.companionFileId);
      if (!c || planned.has(c.id) || approved.some((p) => p.fileId === c.id)) continue;
      planned.add(c.id);
      const item: PlanItem = {
        id: randomUUID(),
        seq: seq++,
        role: 'companion',
        fileId: c.id,
        proposalId: null,
        parentItemId: media.id,
        source: c.pathKey,
        destination: null,
        size: c.size,
        mtimeMs: c.mtimeMs,
        dev: null,
        ino: null,
        contentHash: c.contentHash,
        sameFilesystem: null,
        status: 'ready',
        reason: null,
      };
      items.push(item);
      if (link.sharedWith > 1) {
        item.status = 'skipped';
        item.reason = 'companion shared with other files: it stays where it is';
        continue;
      }
      const companionName = displayPath(basenameBytes(c.pathKey));
      const mediaOld = stemOf(displayPath(basenameBytes(media.source)));
      const mediaNew = stemOf(displayPath(basenameBytes(media.destination!)));
      const name = stemOf(companionName) === mediaOld ? `${mediaNew}${extOf(companionName)}` : companionName;
      item.destination = joinBytes(dirnameBytes(media.destination!), Buffer.from(name.normalize('NFC')));
      const root =
        req.mode === 'move'
          ? (realRoots.find((r) => isWithinBytes(Buffer.from(r), media.destination!)) ?? null)
          : realOutput;
      await check(item, c, root);
    }
  }

  const ready = items.filter((i) => i.status === 'ready');
  const totals = {
    items: items.length,
    files: ready.length,
    bytes: ready.reduce((s, i) => s + i.size, 0),
    blocked: items.filter((i) => i.status === 'blocked').length,
    skipped: items.filter((i) => i.status === 'skipped').length,
    companions: ready.filter((i) => i.role === 'companion').length,
    sameFilesystem: ready.filter((i) => i.sameFilesystem).length,
    crossFilesystem: ready.filter((i) => i.sameFilesystem === false).length,
  };
  return { items, totals, proposalVersions };
}
