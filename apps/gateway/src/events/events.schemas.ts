import { z } from 'zod';
import { EVENT_DOMAINS } from '@crateflow/contracts';

export const EventsQuerySchema = z.strictObject({
  types: z
    .string()
    .max(200)
    .transform((value, ctx) => {
      const wanted = [
        ...new Set(
          value
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      ];
      const unknown = wanted.filter((t) => !(EVENT_DOMAINS as readonly string[]).includes(t));
      if (unknown.length || !wanted.length) {
        ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of ${EVENT_DOMAINS.join(', ')}` });
        return z.NEVER;
      }
      return wanted as (typeof EVENT_DOMAINS)[number][];
    })
    .optional()
    .describe(`Only events of these domains, comma-separated: ${EVENT_DOMAINS.join(', ')}`),
  lastEventId: z
    .string()
    .max(20)
    .optional()
    .describe(
      'Resume after this event id (as the `Last-Event-ID` header does); a `stream.reset` event says when that was too long ago',
    ),
});
export type EventsQuery = z.output<typeof EventsQuerySchema>;
