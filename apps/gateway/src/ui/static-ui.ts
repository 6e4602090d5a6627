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

/**
 * Kept libraries the UI loads, served from the installation itself (never a CDN), under `/vendor/`.
 * Each is a file of an npm package the gateway depends on, resolved once at start-up.
 */
export const VENDOR_FILES: Record<string, string> = {
  '/vendor/uplot/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  '/vendor/uplot/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

function asset(body: Buffer, contentType: string): Asset {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Every servable file under a folder, by URL path (`/lib/api.js`); folders are walked, other files skipped. */
function walk(directory: string, urlPrefix: string, into: Map<string, Asset>): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      walk(full, `${urlPrefix}${entry.name}/`, into);
      continue;
    }
    const contentType = CONTENT_TYPES[path.extname(entry.name)];
    if (!entry.isFile() || !contentType) continue;
    into.set(`${urlPrefix}${entry.name}`, asset(readFileSync(full), contentType));
  }
}

/**
 * The web UI: native ES modules, styles and the vendored chart library, read into memory once at start-up
 * and served by exact name. No request path ever reaches the file system, so there is nothing to traverse.
 */
export function loadUiAssets(directory = UI_DIRECTORY, vendor: Record<string, string> = VENDOR_FILES) {
  const assets = new Map<string, Asset>();
  walk(directory, '/', assets);
  for (const [urlPath, moduleFile] of Object.entries(vendor)) {
    const contentType = CONTENT_TYPES[path.extname(urlPath)];
    if (!contentType) continue;
    assets.set(urlPath, asset(readFileSync(require.resolve(moduleFile)), contentType));
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
