/**
 * What a command prints. With `--json` the command's result goes to stdout as one JSON document (and
 * nothing else does); without it, human-readable lines. Errors always go to stderr.
 */
export interface Output {
  readonly json: boolean;
  /** The command's result: printed as JSON with --json, else rendered by `human`. */
  result(value: unknown, human: () => string | string[]): void;
  /** A line for a person (suppressed with --json). */
  info(line: string): void;
  error(message: string, details?: unknown): void;
  /** Where live progress goes (a TTY progress bar or plain lines); undefined with --json. */
  readonly progressStream: NodeJS.WritableStream | undefined;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createOutput(json: boolean, streams: Streams): Output {
  return {
    json,
    result(value, human) {
      if (json) {
        streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        return;
      }
      const text = human();
      const lines = Array.isArray(text) ? text : [text];
      if (lines.length) streams.stdout.write(`${lines.join('\n')}\n`);
    },
    info(line) {
      if (!json) streams.stdout.write(`${line}\n`);
    },
    error(message, details) {
      if (json) streams.stderr.write(`${JSON.stringify({ error: message, details: details ?? undefined })}\n`);
      else streams.stderr.write(`crateflow: ${message}\n`);
    },
    progressStream: json ? undefined : streams.stderr,
  };
}

/** A plain text table: columns padded to the widest cell, numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][], rightAligned: number[] = []): string[] {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, widths[i] - [...text].length));
    return rightAligned.includes(i) ? gap + text : text + gap;
  };
  return cells.map((r) =>
    r
      .map((c, i) => pad(c ?? '', i))
      .join('  ')
      .trimEnd(),
  );
}

/** Playback speed → the pitch-fader reading a DJ knows: `+4.0 %`, `-2.5 %`, `0.0 %` (never `-0.0 %`). */
export function speedChange(speed: number): string {
  const pct = (speed - 1) * 100;
  if (Math.abs(pct) < 0.05) return '0.0 %';
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

/** Text from the archive (names, tags) may hold control characters that would rewrite the terminal. */
export function printable(text: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(text ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}
