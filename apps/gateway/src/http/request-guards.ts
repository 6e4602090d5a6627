import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, ProblemException, ProblemTypes, statusTitle } from './problem';

/**
 * Request hygiene in front of every route (issue 9): the Host header is one the gateway answers to, and no
 * query or path carries text the database cannot take. Each answers with a 4xx problem, never a 5xx.
 */

/** Host names every gateway answers to: the loopback names. Others come from CRATEFLOW_PUBLIC_HOSTS. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** Paths a probe or scraper reaches by address (Kubernetes, Prometheus): they also accept an IP literal as Host. */
const PROBE_PATHS = new Set(['/health', '/metrics']);

/** The host name of a Host header, without the port, lower-cased; `[::1]` keeps its brackets. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : undefined;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 is same-origin with
 * itself, so the browser lets it read what it fetches, but its requests carry `Host: evil.example`. Only
 * names the operator configured (and the loopback names) are answered; anything else gets 421. A rebinding
 * attack always carries a name, never an IP literal, so /health and /metrics also answer to any IP literal.
 */
export function hostAllowList(publicHosts: readonly string[]) {
  const allowed = new Set([...LOOPBACK_HOSTS, ...publicHosts.map((h) => hostNameOf(h) ?? h.toLowerCase())]);
  return (req: Request, _res: Response, next: NextFunction) => {
    const host = hostNameOf(req.headers.host);
    if (host && allowed.has(host)) return next();
    if (host && PROBE_PATHS.has(req.path) && isIP(host.replace(/^\[|\]$/g, '')) !== 0) return next();
    next(
      new ProblemException({
        status: 421,
        type: ProblemTypes.misdirected,
        detail:
          'This server does not answer to that host name. Use 127.0.0.1 or localhost, or add the name to CRATEFLOW_PUBLIC_HOSTS.',
      }),
    );
  };
}

/** A NUL, or a lone UTF-16 surrogate (what invalid UTF-8 decodes to in some parsers): text no column can hold. */
export function isInvalidText(value: string): boolean {
  return value.includes('\0') || /[\uD800-\uDFFF]/.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

/**
 * Refuses queries and paths with invalid text before any route sees them: a NUL, bytes that are not UTF-8
 * (`%FF`), lone surrogates. Named by where they are, so the caller can fix the request.
 */
export function rejectInvalidText(prefix: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.path.toLowerCase().startsWith(prefix)) return next();
    const url = req.originalUrl ?? req.url;
    const q = url.indexOf('?');
    const parts: { location: 'path' | 'query'; field: string; raw: string }[] = [
      { location: 'path', field: '', raw: q >= 0 ? url.slice(0, q) : url },
    ];
    if (q >= 0) {
      for (const pair of url.slice(q + 1).split('&')) {
        const eq = pair.indexOf('=');
        const key = eq >= 0 ? pair.slice(0, eq) : pair;
        parts.push({ location: 'query', field: safeDecode(key) ?? key, raw: pair });
      }
    }
    for (const part of parts) {
      const decoded = safeDecode(part.raw.replace(/\+/g, ' '));
      if (decoded === undefined || isInvalidText(decoded)) {
        const field = part.field && !isInvalidText(part.field) ? part.field : '';
        return next(
          ProblemException.validation(
            [{ location: part.location, field, message: 'holds a NUL or bytes that are not valid UTF-8 text' }],
            `The request ${part.location === 'path' ? 'path' : 'query'} holds invalid text.`,
          ),
        );
      }
    }
    next();
  };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Errors Node's HTTP parser answers before any middleware runs (a header block over the limit: 431; a
 * malformed request line: 400), as problem+json like everything else, then the connection is closed.
 */
export function problemOnClientError(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({
      type: ProblemTypes.blank,
      title: statusTitle(status),
      status,
      detail:
        status === 431
          ? 'The request line or headers are too long (a URL over about 16 KB?); shorten them.'
          : 'The request could not be parsed as HTTP.',
      instance: '',
    });
    socket.end(
      `HTTP/1.1 ${status} ${statusTitle(status)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n${body}`,
    );
  });
}
