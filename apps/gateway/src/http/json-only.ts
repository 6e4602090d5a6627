import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException, ProblemTypes } from './problem';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Request bodies are JSON only. Refusing form encodings keeps the API to one parser and means a
 * cross-site HTML form can never produce a body the API accepts.
 */
export function jsonBodiesOnly(prefix: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!BODY_METHODS.has(req.method) || !req.path.startsWith(prefix) || !hasBody(req)) return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return next();
    next(
      new ProblemException({
        status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        type: ProblemTypes.unsupportedMediaType,
        detail: `Request bodies must be application/json (got ${type ? JSON.stringify(type) : 'no Content-Type'}).`,
      }),
    );
  };
}
