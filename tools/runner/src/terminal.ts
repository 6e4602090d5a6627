/**
 * The runner's output: log lines, plus one status line (scan progress) that stays at the bottom of an
 * interactive terminal and is rewritten in place. When the output is not a terminal (CI, a log file) the
 * status is printed as ordinary lines, at most every few seconds.
 */
export class Terminal {
  private statusText = '';
  private lastStatusPrint = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    readonly interactive: boolean,
    readonly color: boolean,
    private readonly statusEveryMs = 3000,
  ) {}

  line(text: string): void {
    if (this.interactive && this.statusText) this.out.write('\r\u001b[K');
    this.out.write(`${text}\n`);
    if (this.interactive && this.statusText) this.out.write(this.statusText);
  }

  /** Shows a status; `final` ends it (it stays on screen and the next status starts a new line). */
  status(text: string, final = false): void {
    if (this.interactive) {
      this.out.write(`\r\u001b[K${text}${final ? '\n' : ''}`);
      this.statusText = final ? '' : text;
      return;
    }
    const now = Date.now();
    if (final || text !== this.statusText) {
      if (final || now - this.lastStatusPrint >= this.statusEveryMs) {
        this.out.write(`${text}\n`);
        this.lastStatusPrint = now;
      }
      this.statusText = final ? '' : text;
    }
  }

  bold(text: string): string {
    return this.color ? `\u001b[1m${text}\u001b[0m` : text;
  }
}
