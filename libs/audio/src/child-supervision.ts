import type { ChildProcess } from 'node:child_process';

/** A child process that is killed when the caller aborts or a time limit passes. */
export interface SupervisedChild {
  /** Why the child was killed (`aborted`, `timed out after … ms`); undefined when it ran its course. */
  killedFor(): string | undefined;
  /** Stops watching (call once the child has ended). */
  release(): void;
}

/**
 * Kills `child` with SIGKILL on `signal`'s abort or after `timeoutMs`, remembering the first reason. Every
 * ffmpeg run (decoding, loudness) needs the same: a stuck decoder must not outlive the job that started it.
 */
export function superviseChild(
  child: ChildProcess,
  options: { signal?: AbortSignal; timeoutMs?: number },
): SupervisedChild {
  let reason: string | undefined;
  const kill = (why: string) => {
    reason ??= why;
    child.kill('SIGKILL');
  };
  const onAbort = () => kill('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs
    ? setTimeout(() => kill(`timed out after ${options.timeoutMs} ms`), options.timeoutMs)
    : undefined;
  return {
    killedFor: () => reason,
    release: () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}
