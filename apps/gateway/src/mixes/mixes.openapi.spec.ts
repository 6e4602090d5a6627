import { buildOpenApiDocument } from '../openapi/openapi';
import { fingerprintOpenApi } from './mixes.openapi';

describe('mix identification and excerpt look-up OpenAPI description', () => {
  const doc = fingerprintOpenApi();

  it('describes every route with its operation, and the served document includes them', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'DELETE /api/v1/mixes/{fileId}/identification',
      'GET /api/v1/fingerprint/index',
      'GET /api/v1/mixes/{fileId}/identification',
      'GET /api/v1/mixes/{fileId}/identification.cue',
      'POST /api/v1/identify',
      'POST /api/v1/mixes/identify',
      'POST /api/v1/mixes/{fileId}/identify',
    ]);
    const served = buildOpenApiDocument({ version: 'test' }) as { paths: Record<string, unknown> };
    for (const path of Object.keys(doc.paths)) expect(served.paths[path]).toBeDefined();
  });

  it('refers only to schemas it defines, or to the document-wide Problem', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((r) => r !== 'Problem' && !(r in doc.schemas))).toEqual([]);
  });

  it('marks the state-changing routes as needing the API token', () => {
    for (const item of Object.values(doc.paths) as Record<string, { security?: unknown }>[]) {
      for (const [method, op] of Object.entries(item)) {
        if (method !== 'get') expect(op.security).toEqual([{ apiToken: [] }]);
      }
    }
  });
});
