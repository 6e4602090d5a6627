import { spawn, type ChildProcess } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * ffmpeg and ffprobe as supervised children of a stage.
 *
 * - Each child gets its own process group (`detached`): Ctrl-C in a terminal, or a supervisor that signals a
 *   service's whole group, reaches the service only. The service then stops its work in order (stop pulling,
 *   let jobs finish, abort the rest) and kills the children it aborted itself; a child is never the first
 *   to hear of a shutdown, so its exit is never mistaken for a verdict on the file.
 * - The input is handed over as an open descriptor (fd 3, read as `file:/dev/fd/3`), never as a name: a
 *   name that is not valid UTF-8, in another normalisation, very long or starting with a dash reaches
 *   the decoder exactly as it is on disk, and the file decoded is the one opened.
 * - How a child ended is classified once: a verdict about the input (UndecodableAudioError) only when the
 *   tool ran to its end and said the input is unreadable; an interruption (ToolInterruptedError: killed by a
 *   signal, by the caller's abort, or exiting with ffmpeg's "received a signal" code) or a time-out is
 *   never a verdict, so the message is retried.
 */

/** The tool's own complaint about the input: retrying cannot help. */
export class UndecodableAudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndecodableAudioError';
  }
}

/** The tool did not finish: a signal, an abort (shutdown), a lost file descriptor. Transient by nature. */
export class ToolInterruptedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ToolInterruptedError';
  }
}

/** The tool ran past its time limit (a slow disk, a busy machine): worth another try, not a verdict. */
export class ToolTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolTimeoutError';
  }
}

/** True for errors that say the work was cut short rather than that the input is bad. */
export function isInterruption(err: unknown): boolean {
  return err instanceof ToolInterruptedError || err instanceof ToolTimeoutError;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A detached child outlives a crashed parent's group; kill whatever is left when this process exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Children running right now (for tests and shutdown logs). */
export function runningToolCount(): number {
  return live.size;
}

export interface ToolOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** An open descriptor handed to the child as fd 3. */
  inputFd?: number;
  /** What stdout is: piped (the default) or ignored. */
  stdout?: 'pipe' | 'ignore';
  /** Picks the line of stderr that says why the tool failed (default: the last line). */
  failureLine?: (stderr: string) => string;
}

export interface ToolChild {
  child: ChildProcess;
  /** Resolves when the child has ended, with the error that describes how (null when it exited 0). */
  finished: Promise<Error | null>;
  /** Kills the child (SIGKILL) if it still runs; used when the caller stops reading early. */
  kill(): void;
  /** The last 16 kB the child wrote to stderr (ffmpeg's filter summaries are printed there). */
  stderr(): string;
}

/** ffmpeg exits with 255 when it stops because it received SIGINT/SIGTERM/SIGQUIT ("Exiting normally, received signal"). */
const FFMPEG_SIGNAL_EXIT = 255;

/** The input of a tool, read through the descriptor handed over as fd 3. */
export const TOOL_INPUT = 'file:/dev/fd/3';

/** What the operating system said about opening a file, in words; codes that mean "this path holds no readable file". */
const NOT_A_READABLE_FILE: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'a folder in its path is not a folder',
  EISDIR: 'this is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENAMETOOLONG: 'the name is too long for this system',
};

/**
 * Opens a file for a tool by its exact bytes (a Buffer path) or name. A path that holds no readable file is
 * a verdict (UndecodableAudioError); anything else (an I/O error of a dying disk, a NAS that went away,
 * too many open files) is passed on as it is, to be retried.
 */
export async function openInput(filePath: string | Buffer): Promise<FileHandle> {
  try {
    return await open(filePath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code in NOT_A_READABLE_FILE)
      throw new UndecodableAudioError(`cannot open the file: ${NOT_A_READABLE_FILE[code]}`);
    throw err;
  }
}

/** Starts `bin` in its own process group, supervised (abort, time limit), classifying how it ended. */
export function runTool(bin: string, args: string[], options: ToolOptions = {}): ToolChild {
  installExitHook();
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', options.stdout ?? 'pipe', 'pipe'];
  if (options.inputFd !== undefined) stdio.push(options.inputFd);
  const child = spawn(bin, args, { stdio, detached: true });
  live.add(child);
  let killedFor: 'aborted' | 'timed out' | undefined;
  const kill = (why: 'aborted' | 'timed out') => {
    killedFor ??= why;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = () => kill('aborted');
  if (options.signal?.aborted) queueMicrotask(onAbort);
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs ? setTimeout(() => kill('timed out'), options.timeoutMs) : undefined;

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-16_384);
  });
  const name = bin.split('/').pop() ?? bin;
  const finished = new Promise<Error | null>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      live.delete(child);
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (spawnError) return resolve(new ToolInterruptedError(`${name} could not be run: ${spawnError.message}`));
      if (killedFor === 'aborted') return resolve(new ToolInterruptedError(`${name} was stopped: the job was aborted`));
      if (killedFor === 'timed out')
        return resolve(new ToolTimeoutError(`${name} timed out after ${options.timeoutMs} ms`));
      if (signal) return resolve(new ToolInterruptedError(`${name} was interrupted by ${signal}`));
      if (code === FFMPEG_SIGNAL_EXIT)
        return resolve(new ToolInterruptedError(`${name} stopped on a signal (exit code ${code})`));
      if (code !== 0)
        return resolve(
          new UndecodableAudioError((options.failureLine ?? lastLine)(stderr) || `${name} exited with code ${code}`),
        );
      resolve(null);
    });
  });
  return {
    child,
    finished,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    stderr: () => stderr,
  };
}

/** The last non-empty line of a tool's stderr, without the input's name it may start with. */
export function lastLine(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-1)[0] ?? '';
  return line.startsWith(`${TOOL_INPUT}: `) ? line.slice(TOOL_INPUT.length + 2) : line;
}
