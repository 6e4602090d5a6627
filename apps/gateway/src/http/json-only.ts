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
}

/**
 * Request bodies are JSON only, but for the named raw-body routes. None of those types is a CORS "simple"
 * type, so a cross-site page still cannot send one without the browser asking first. Refusing form encodings keeps the API to one parser and means a
 * cross-site HTML form can never produce a body the API accepts.
 */
export function jsonBodiesOnly(prefix: string, rawBodyRoutes: readonly RawBodyRoute[] = []) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!BODY_METHODS.has(req.method) || !req.path.startsWith(prefix) || !hasBody(req)) return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return next();
    const raw = rawBodyRoutes.find((r) => r.method === req.method && r.path === req.path);
    if (raw?.types.test(type)) return next();
    next(
      new ProblemException({
        status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        type: ProblemTypes.unsupportedMediaType,
        detail: `Request bodies must be application/json (got ${type ? JSON.stringify(type) : 'no Content-Type'}).`,
      }),
    );
  };
}
