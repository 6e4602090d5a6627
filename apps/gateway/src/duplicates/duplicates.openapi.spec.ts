import { duplicatesOpenApi } from './duplicates.openapi';

describe('duplicates OpenAPI description', () => {
  const doc = duplicatesOpenApi();

  it('describes every route with its operation', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'DELETE /api/v1/duplicates/resolutions',
      'DELETE /api/v1/duplicates/{key}/resolution',
      'GET /api/v1/duplicates',
      'GET /api/v1/duplicates/{key}',
      'POST /api/v1/duplicates/resolutions',
      'POST /api/v1/duplicates/{key}/resolution',
    ]);
  });

  it('refers only to schemas it defines, or to the document-wide Problem', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    const missing = refs.filter((r) => r !== 'Problem' && !(r in doc.schemas));
    expect(missing).toEqual([]);
    expect(Object.keys(doc.schemas)).toEqual(
      expect.arrayContaining(['DuplicateGroup', 'DuplicateComparison', 'FileTags', 'FileCompanions']),
    );
  });

  it('marks the state-changing routes as needing the API token', () => {
    for (const item of Object.values(doc.paths) as Record<string, { security?: unknown }>[]) {
      for (const [method, op] of Object.entries(item)) {
        if (method !== 'get') expect(op.security).toEqual([{ apiToken: [] }]);
      }
    }
  });
});
