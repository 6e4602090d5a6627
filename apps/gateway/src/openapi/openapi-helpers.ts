import type { z } from 'zod';
import { inputSchemaOf, type JsonSchema } from './component-schemas';

/**
 * Query parameters from a zod object schema, each documented as the caller writes it, its description lifted
 * out of the schema onto the parameter. `descriptionAlsoInSchema` keeps it in the schema as well, after it:
 * the tracklist routes have always been served that way, and this clean-up must not change the document.
 */
export function queryParameters(schema: z.ZodType, options: { descriptionAlsoInSchema?: boolean } = {}): JsonSchema[] {
  const { properties = {}, required = [] } = inputSchemaOf(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    const isRequired = required.includes(name);
    return options.descriptionAlsoInSchema
      ? { name, in: 'query', required: isRequired, schema: property, description }
      : { name, in: 'query', required: isRequired, description, schema: propertySchema };
  });
}

/** A required path parameter; most of the API's ids are UUIDs. */
export function pathParameter(
  name: string,
  description: string,
  schema: JsonSchema = { type: 'string', format: 'uuid' },
): JsonSchema {
  return { name, in: 'path', required: true, description, schema };
}

/**
 * Helpers for a part of the OpenAPI document, typed by the component ids it may refer to (`K`) so a typo
 * in a `$ref` fails to compile. `Problem` belongs to the gateway's document and every part may refer to it.
 */
export function openApiHelpers<K extends string>() {
  const ref = (id: K | 'Problem') => ({ $ref: `#/components/schemas/${id}` });
  const json = (id: K) => ({ 'application/json': { schema: ref(id) } });
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: ref('Problem') } },
  });
  return { ref, json, problem, queryParameters, pathParameter };
}
