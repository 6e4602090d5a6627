import { buildOpenApiDocument } from '../openapi/openapi';
import { tracklistsOpenApi } from './tracklists.openapi';

describe('tracklists OpenAPI description', () => {
  const doc = tracklistsOpenApi();

  it('describes every route, and the served document includes them', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'DELETE /api/v1/tracklists/{id}/links/{fileId}',
      'DELETE /api/v1/tracklists/{id}/tracks/{trackId}',
      'GET /api/v1/mixes/{fileId}/tracklists',
      'GET /api/v1/tracklists',
      'GET /api/v1/tracklists/{id}',
      'GET /api/v1/tracklists/{id}/cue-sheet',
      'GET /api/v1/tracklists/{id}/text',
      'PATCH /api/v1/tracklists/{id}/tracks/{trackId}',
      'POST /api/v1/tracklists/scrapes',
      'POST /api/v1/tracklists/searches',
      'POST /api/v1/tracklists/{id}/rescrape',
      'POST /api/v1/tracklists/{id}/track-rejections',
      'PUT /api/v1/tracklists/{id}/links/{fileId}',
      'PUT /api/v1/tracklists/{id}/review',
    ]);
    const served = buildOpenApiDocument({ version: 'test' }) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of Object.keys(doc.paths)) expect(served.paths[path]).toBeDefined();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const r of refs) expect(served.components.schemas[r]).toBeDefined();
  });

  it('marks the state-changing routes as needing the API token', () => {
    for (const item of Object.values(doc.paths) as Record<string, { security?: unknown }>[]) {
      for (const [method, op] of Object.entries(item))
        if (method !== 'get') expect(op.security).toEqual([{ apiToken: [] }]);
    }
  });
});
