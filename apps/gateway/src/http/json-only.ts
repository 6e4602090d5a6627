import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException, ProblemTypes } from './problem';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A route whose body is not JSON (an uploaded file), with the content types it takes. */
export interface RawBodyRoute {
  method: string;
  path: string;
  types: RegExp;
  /** The accepted types in words, for the 415 answer. */
  accepts: string;
}

/**
 * Request bodies are JSON only, but for the named raw-body routes. None of those types is a CORS "simple"
 * type, so a cross-site page still cannot send one without the browser asking first. Refusing form encodings keeps the API to one parser and means a
 * cross-site HTML form can never produce a body the API accepts.
 */
export function jsonBodiesOnly(prefix: string, rawBodyRoutes: readonly RawBodyRoute[] = []) {
  return (req: Request, _res: Response, next: NextFunction) => {
    // Routing ignores letter case and a trailing slash, so this rule must too: /API/v1/scans is /api/v1/scans.
    const routePath = req.path.toLowerCase().replace(/\/+$/, '');
    if (!BODY_METHODS.has(req.method) || !routePath.startsWith(prefix) || !hasBody(req)) return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const raw = rawBodyRoutes.find((r) => r.method === req.method && r.path.toLowerCase() === routePath);
    if (raw) {
      if (raw.types.test(type)) return next();
      return next(unsupported(type, raw.accepts));
    }
    if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return next();
    next(unsupported(type, 'application/json'));
  };
}

function unsupported(type: string, accepts: string): ProblemException {
  return new ProblemException({
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    type: ProblemTypes.unsupportedMediaType,
    detail: `This route accepts ${accepts} (got ${type ? JSON.stringify(type) : 'no Content-Type'}).`,
    headers: { 'Accept-Post': accepts.replace(/ or /g, ', ') },
  });
}
