import { buildOpenApiDocument } from '../openapi/openapi';
import { proposalsOpenApi } from './proposals.openapi';

describe('proposals OpenAPI description', () => {
  const doc = proposalsOpenApi();

  it('describes every route, and the document carries them', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'GET /api/v1/proposals',
      'GET /api/v1/proposals/generations/{id}',
      'GET /api/v1/proposals/preview',
      'GET /api/v1/proposals/{id}',
      'PATCH /api/v1/proposals/{id}',
      'POST /api/v1/proposals/decisions',
      'POST /api/v1/proposals/generations',
      'POST /api/v1/proposals/{id}/undo',
      'PUT /api/v1/proposals/{id}/decision',
    ]);
    const full = buildOpenApiDocument({ version: 'test' }) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(full.paths)).toEqual(expect.arrayContaining(Object.keys(doc.paths)));
    const refs = [...JSON.stringify(full).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((r) => !(r in full.components.schemas))).toEqual([]);
  });

  it('marks state-changing routes as needing the token and single changes as needing If-Match', () => {
    for (const [path, item] of Object.entries(doc.paths) as [
      string,
      Record<string, { security?: unknown; parameters?: { name: string }[] }>,
    ][]) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'get') continue;
        expect(op.security).toEqual([{ apiToken: [] }]);
        if (path.includes('{id}')) expect(op.parameters?.map((p) => p.name)).toContain('If-Match');
      }
    }
  });
});
