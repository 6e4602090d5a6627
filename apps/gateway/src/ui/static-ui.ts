import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { NextFunction, Request, Response } from 'express';

export const UI_DIRECTORY = path.join(__dirname, 'public');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * The web UI: a handful of static files, read into memory once at start-up and served by exact name.
 * No request path ever reaches the file system, so there is nothing to traverse.
 */
export function loadUiAssets(directory = UI_DIRECTORY): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(directory)) {
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (!contentType) continue;
    const body = readFileSync(path.join(directory, name));
    assets.set(`/${name}`, {
      body,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);
  return assets;
}

export function serveUi(assets: Map<string, Asset>) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const asset = assets.get(req.path);
    if (!asset) return next();
    (res.locals as { routeLabel?: string }).routeLabel = '/ui';
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.status(200);
    if (req.method === 'HEAD') {
      res.setHeader('Content-Length', asset.body.length);
      res.end();
      return;
    }
    res.end(asset.body);
  };
}
