import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * OpenAPI component schemas from named zod schemas (as the API returns them), referring to each other as
 * `#/components/schemas/<id>`. Shared by the document and the feature folders that describe their own routes.
 */
export function componentSchemasOf(components: Record<string, z.ZodType>): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'output',
    unrepresentable: 'any',
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return out;
}

/** A request body or parameter schema as the caller writes it. */
export function inputSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}
