import type { Response } from 'express';

export interface SseEvent {
  /** Event name (the subject, e.g. `scan.progressed`). */
  event: string;
  /** Serialised as one line of JSON. */
  data: unknown;
  id?: string | number;
}

/** One field line; a value with a line break would end the field early, so it is refused. */
function field(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`SSE ${name} must be one line`);
  return `${name}: ${value}\n`;
}

/** Frames one event in the text/event-stream format (JSON.stringify never emits a raw line break). */
export function formatSseEvent(event: SseEvent): string {
  let out = field('event', event.event);
  if (event.id !== undefined) out += field('id', String(event.id));
  out += field('data', JSON.stringify(event.data) ?? 'null');
  return `${out}\n`;
}

export interface SseStreamOptions {
  heartbeatMs: number;
  /** A client that stops reading is dropped once this much output waits for it, rather than growing memory. */
  maxBufferedBytes: number;
}

/**
 * A Server-Sent Events response: headers, events, a heartbeat comment that keeps proxies and the
 * browser from timing out an idle stream, and a bound on what a slow reader can make us buffer.
 */
export class SseStream {
  private heartbeat?: NodeJS.Timeout;
  private closed = false;
  /** Events that arrive between subscribing and opening (a resumed stream replays at once) wait here. */
  private pending: string[] | undefined = [];

  constructor(
    private readonly res: Response,
    private readonly options: SseStreamOptions,
  ) {}

  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-store');
    this.res.setHeader('Connection', 'keep-alive');
    // nginx and similar proxies buffer responses unless told not to.
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.res.socket?.setNoDelay(true);
    const waiting = this.pending ?? [];
    this.pending = undefined;
    this.write(`retry: 3000\n: connected\n\n`);
    for (const chunk of waiting) this.write(chunk);
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  send(event: SseEvent): void {
    this.write(formatSseEvent(event));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (this.pending) {
      this.pending.push(chunk);
      return;
    }
    if (this.res.writableLength > this.options.maxBufferedBytes) {
      this.close();
      return;
    }
    this.res.write(chunk);
  }
}
