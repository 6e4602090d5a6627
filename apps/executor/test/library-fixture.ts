import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { JournalRepository } from '../src/journal/journal.repository';
import type { JournalOperation, NewOperation, OperationKind } from '../src/journal/operation';
import { identityOf } from '../src/protocol/file-system';
import { lstatSync } from 'node:fs';

const ROOT = path.resolve(__dirname, '../../..');

/** A real file of the fixture library, with what ingest would have recorded about it. */
export interface FixtureFile {
  path: string;
  hash: string;
  size: number;
  mtimeMs: number;
  dev: string;
  ino: string;
}

/** A fresh folder on a given filesystem (e.g. /tmp on disk, /dev/shm on tmpfs); removed by the caller. */
export function tempFolder(base: string, label: string): string {
  return mkdtempSync(path.join(base, `cf-exec-${label}-`));
}

export function recordFile(p: string): FixtureFile {
  const st = identityOf(lstatSync(p, { bigint: true }));
  return {
    path: p,
    hash: createHash('sha256').update(readFileSync(p)).digest('hex'),
    size: st.size,
    mtimeMs: st.mtimeMs,
    dev: st.dev,
    ino: st.ino,
  };
}

export function writeFixtureFile(p: string, size: number, mode = 0o640): FixtureFile {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, randomBytes(size), { mode });
  return recordFile(p);
}

export function sha256File(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

export function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function operationFor(
  f: FixtureFile,
  destination: string,
  kind: OperationKind = 'move',
  extra: Partial<NewOperation> = {},
): NewOperation {
  return {
    kind,
    role: 'media',
    source: Buffer.from(f.path),
    destination: Buffer.from(destination),
    expected: { size: f.size, mtimeMs: f.mtimeMs, dev: f.dev, ino: f.ino },
    contentHash: f.hash,
    ...extra,
  };
}

/** Every leftover of the protocol below a folder: temporary copies and claim markers. */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (
        e.name.startsWith('.crateflow-') ||
        (statSync(p).size < 100 && readFileSync(p).includes('crateflow-executor-claim'))
      )
        out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * The promise the executor makes: each file exists exactly once, at its source or its destination, with
 * its original hash, and the journal says which. Returns a list of broken promises (empty when all hold).
 */
export function checkExactlyOnce(ops: JournalOperation[], hashes: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const op of ops) {
    const src = op.source.toString();
    const dst = op.destination.toString();
    const hash = hashes.get(op.id)!;
    const atSrc = exists(src);
    const atDst = exists(dst);
    const copyLike = op.kind === 'copy' || op.kind === 'hardlink';
    if (op.kind === 'unpublish') {
      if (!atSrc) problems.push(`${op.id}: the original of an unpublished copy is gone`);
      if (op.status === 'done' && atDst) problems.push(`${op.id}: done, yet the copy is still there`);
      continue;
    }
    if (copyLike) {
      if (!atSrc || sha256File(src) !== hash) problems.push(`${op.id}: the source of a copy changed or vanished`);
      if (op.status === 'done' && (!atDst || sha256File(dst) !== hash))
        problems.push(`${op.id}: done, but the copy is missing or wrong`);
      if (op.status !== 'done' && atDst) problems.push(`${op.id}: ${op.status}, but a copy exists at the destination`);
      continue;
    }
    if (atSrc === atDst)
      problems.push(
        `${op.id}: at ${atSrc ? 'both source and destination' : 'neither source nor destination'} (journal: ${op.status}/${op.phase})`,
      );
    const where = atDst ? dst : src;
    if ((atSrc || atDst) && sha256File(where) !== hash) problems.push(`${op.id}: hash differs at ${where}`);
    if (op.status === 'done' && !atDst)
      problems.push(`${op.id}: journal says done but the file is not at its destination`);
    if (op.status !== 'done' && atDst)
      problems.push(`${op.id}: journal says ${op.status} but the file is at its destination`);
  }
  return problems;
}

export interface ExecutorProcess {
  proc: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real executor service (`apps/executor/src/main.ts`) as its own process. */
export function startExecutorProcess(env: Record<string, string>): ExecutorProcess {
  const output: string[] = [];
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'apps/executor/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 300) output.shift();
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, output, exited };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function executionStatus(journal: JournalRepository, id: string): Promise<string | undefined> {
  return (await journal.execution(id))?.status;
}

export function removeFolder(p: string): void {
  rmSync(p, { recursive: true, force: true });
}
