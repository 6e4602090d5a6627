/* The live event feed: one EventSource for the whole page, shared by every view. Each event's id is the
 * gateway's resume token; when the connection drops, the browser (or, after a hard failure, we) reconnect
 * with that id (the `Last-Event-ID` header, or the `lastEventId` query parameter on a fresh connection) and
 * the gateway replays what was missed. When that is no longer possible it sends `stream.reset`: views that
 * keep live state subscribe to it and reload. */
import { API } from './api.js';

const MAX_BACKOFF_MS = 30_000;

export class LiveEvents {
  constructor(url = `${API}/events`) {
    this.url = url;
    this.handlers = new Map(); // subject or 'domain.*' or '*' → Set<fn>
    this.statusHandlers = new Set();
    this.lastEventId = '';
    this.status = 'connecting';
    this.backoff = 1000;
    this.source = null;
    this.timer = null;
  }

  /** Calls `fn(payload, subject)` for a subject (`scan.progressed`), a domain (`scan.*`) or everything (`*`). */
  on(pattern, fn) {
    if (!this.handlers.has(pattern)) this.handlers.set(pattern, new Set());
    this.handlers.get(pattern).add(fn);
    if (this.source) this.listen(pattern);
    return () => this.handlers.get(pattern)?.delete(fn);
  }

  /** Calls `fn(status)` with `connecting`, `live` or `reconnecting`; returns the unsubscribe function. */
  onStatus(fn) {
    this.statusHandlers.add(fn);
    fn(this.status);
    return () => this.statusHandlers.delete(fn);
  }

  connect() {
    clearTimeout(this.timer);
    const url = this.lastEventId ? `${this.url}?lastEventId=${encodeURIComponent(this.lastEventId)}` : this.url;
    const source = new EventSource(url);
    this.source = source;
    this.listened = new Set();
    source.addEventListener('open', () => {
      this.backoff = 1000;
      this.setStatus('live');
    });
    source.addEventListener('error', () => {
      this.setStatus('reconnecting');
      // CONNECTING: the browser retries by itself (sending Last-Event-ID). CLOSED: it gave up; we retry.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        this.timer = setTimeout(() => this.connect(), this.backoff);
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      }
    });
    for (const pattern of this.handlers.keys()) this.listen(pattern);
  }

  close() {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  /** EventSource dispatches by event name; subjects are registered one by one, domains through `message`. */
  listen(pattern) {
    if (!pattern.endsWith('*')) {
      if (this.listened.has(pattern)) return;
      this.listened.add(pattern);
      this.source.addEventListener(pattern, (e) => this.dispatch(pattern, e));
      return;
    }
    for (const subject of KNOWN_SUBJECTS) if (matches(pattern, subject)) this.listen(subject);
  }

  dispatch(subject, e) {
    if (e.lastEventId) this.lastEventId = e.lastEventId;
    let payload = null;
    try {
      payload = JSON.parse(e.data);
    } catch {
      return;
    }
    for (const [pattern, fns] of this.handlers) {
      if (!matches(pattern, subject)) continue;
      for (const fn of fns) {
        try {
          fn(payload, subject);
        } catch (err) {
          console.warn('live event handler failed', err);
        }
      }
    }
  }

  setStatus(status) {
    this.status = status;
    for (const fn of this.statusHandlers) fn(status);
  }
}

function matches(pattern, subject) {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return subject.startsWith(pattern.slice(0, -1));
  return pattern === subject;
}

/**
 * Subjects the gateway forwards. EventSource has no wildcard listener for named events, so domain
 * patterns expand over this list; a view may also subscribe to an exact subject not listed here.
 */
export const KNOWN_SUBJECTS = [
  'stream.reset',
  'scan.requested',
  'scan.progressed',
  'scan.finished',
  'file.ingest.discovered',
  'file.ingest.changed',
  'file.ingest.vanished',
  'file.duplicate.resolved',
  'file.duplicate.unresolved',
  ...['metadata', 'fingerprint', 'analysis', 'proposer'].flatMap((stage) =>
    ['started', 'completed', 'skipped', 'failed'].map((what) => `file.${stage}.${what}`),
  ),
  'mix.identify.requested',
  'mix.identify.progressed',
  'mix.identify.finished',
  'index.rebuild.progressed',
  'execution.run.requested',
  'execution.undo.requested',
  'execution.plan.requested',
  'execution.plan.finished',
  'execution.run.progressed',
  'execution.run.finished',
  'file.execution.relocated',
  'tracklist.search.requested',
  'tracklist.scrape.requested',
  'tracklist.lookup.finished',
  'tracklist.saved',
];
