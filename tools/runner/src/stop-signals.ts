/**
 * How the runner reads stop signals. The first SIGINT/SIGTERM/SIGHUP asks for an orderly stop; a later one,
 * while the services are still stopping, asks to kill what is left at once. A copy of the first signal that
 * arrives right after it is the same request, not a second Ctrl-C: a terminal sends SIGINT to the whole
 * foreground process group, and npm forwards the one it got to its child as well, so when the script's
 * shell execs the runner (bash does, dash does not) the runner hears one Ctrl-C twice.
 */
export class StopSignals {
  private first?: number;

  constructor(
    private readonly actions: { stop(signal: string): void; force(signal: string): void },
    private readonly sameRequestMs = 1500,
    private readonly now: () => number = Date.now,
  ) {}

  receive(signal: string): void {
    const at = this.now();
    if (this.first === undefined) {
      this.first = at;
      this.actions.stop(signal);
    } else if (at - this.first >= this.sameRequestMs) {
      this.actions.force(signal);
    }
  }
}

/**
 * Calls `onGone` once when the process that started this one has exited (this process is then re-parented).
 * `npm start` stopped with SIGTERM exits at once, and its shell with it, without the runner hearing of it
 * (npm forwards the signal to the shell only); the runner must not keep the services running unattended.
 */
export function watchParent(onGone: () => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
