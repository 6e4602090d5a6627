/**
 * A background round run every `everyMs` (0 turns it off), never two at a time: a round that outlasts the
 * interval makes the next tick a no-op instead of a second concurrent round. `stop` waits for the round in
 * hand, so a service shuts down only after its background work has finished.
 */
export class PeriodicRound {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly round: () => Promise<void>) {}

  start(everyMs: number): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.round().finally(() => (this.running = null));
    }, everyMs);
    this.timer.unref(); // the round never keeps the process alive on its own
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
