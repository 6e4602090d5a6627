import { buildOpenApiDocument } from '../openapi/openapi';
import { executionsOpenApi } from './executions.openapi';
import { relinkCsv } from './executions.service';

describe('executions OpenAPI description', () => {
  const doc = executionsOpenApi();

  it('describes every route, and the served document includes them', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'GET /api/v1/audit',
      'GET /api/v1/executions',
      'GET /api/v1/executions/plans/{id}',
      'GET /api/v1/executions/{id}',
      'GET /api/v1/executions/{id}/events',
      'GET /api/v1/executions/{id}/relink.csv',
      'GET /api/v1/executions/{id}/relink.json',
      'POST /api/v1/executions',
      'POST /api/v1/executions/plans',
      'POST /api/v1/executions/{id}/undo',
    ]);
    const served = buildOpenApiDocument({ version: 'test' }) as { paths: Record<string, unknown> };
    for (const path of Object.keys(doc.paths)) expect(served.paths[path]).toBeDefined();
  });

  it('refers only to schemas it defines or the document-wide Problem; state changes need the token', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((r) => r !== 'Problem' && !(r in doc.schemas))).toEqual([]);
    for (const item of Object.values(doc.paths) as Record<string, { security?: unknown }>[]) {
      for (const [method, op] of Object.entries(item))
        if (method !== 'get') expect(op.security).toEqual([{ apiToken: [] }]);
    }
  });
});

describe('relink map CSV', () => {
  it('quotes every field, so commas, quotes and newlines in paths survive', () => {
    expect(relinkCsv([{ fileId: null, role: 'media', oldPath: '/a/"b", c.mp3', newPath: '/x/line\nbreak.mp3' }])).toBe(
      'old_path,new_path,role,file_id\r\n"/a/""b"", c.mp3","/x/line\nbreak.mp3","media",""\r\n',
    );
  });
});
