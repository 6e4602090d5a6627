import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ProblemException, type ProblemFieldError } from './problem';

const LOCATIONS: Record<ArgumentMetadata['type'], ProblemFieldError['location']> = {
  body: 'body',
  query: 'query',
  param: 'path',
  custom: 'body',
};

/**
 * Validates (and coerces) a request part with a zod schema; anything that does not match becomes a
 * 400 problem listing each bad field. Nothing from the request reaches a service unvalidated.
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const parsed = this.schema.safeParse(value ?? (metadata.type === 'body' ? undefined : {}));
    if (parsed.success) return parsed.data;
    throw ProblemException.validation(fieldErrors(parsed.error, LOCATIONS[metadata.type]));
  }
}

export function fieldErrors(error: z.ZodError, location: ProblemFieldError['location']): ProblemFieldError[] {
  return error.issues.flatMap((issue) => {
    // An unknown key is reported once per key, so the caller sees each name it got wrong.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        location,
        field: [...issue.path, key].join('.'),
        message: 'is not a known field',
      }));
    }
    return [{ location, field: issue.path.map(String).join('.'), message: issue.message }];
  });
}
