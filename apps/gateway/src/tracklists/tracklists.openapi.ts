import { z } from 'zod';
import { componentSchemasOf } from '../openapi/component-schemas';
import { openApiHelpers } from '../openapi/openapi-helpers';
import {
  ListTracklistsQuerySchema,
  MixTracklistsSchema,
  RejectBelowBodySchema,
  RejectedTracksSchema,
  RequestAcceptedSchema,
  ReviewBodySchema,
  ScrapeBodySchema,
  SearchBodySchema,
  TrackEditBodySchema,
  TracklistDetailSchema,
  TracklistPageSchema,
} from './tracklists.schemas';

type JsonSchema = Record<string, unknown>;

export const TRACKLISTS_OPENAPI_COMPONENTS = {
  TracklistPage: TracklistPageSchema,
  TracklistDetail: TracklistDetailSchema,
  MixTracklists: MixTracklistsSchema,
  TracklistRequestAccepted: RequestAcceptedSchema,
  RejectedTracks: RejectedTracksSchema,
} as const;

const { json, problem, queryParameters, pathParameter } = openApiHelpers<keyof typeof TRACKLISTS_OPENAPI_COMPONENTS>();
const body = (schema: z.ZodType) => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return { required: true, content: { 'application/json': { schema: rest } } };
};
const id = pathParameter('id', "The tracklist's id");
const fileId = pathParameter('fileId', "The set file's id");
const trackId = pathParameter('trackId', "The track's id (of the tracklist's current version)");
const token = { security: [{ apiToken: [] }] };
const unauthorized = { '401': problem('Missing or wrong API token') };
const events = 'The outcome arrives as `tracklist.lookup.finished` (and `tracklist.saved`) on /api/v1/events.';

/** The OpenAPI description of the tracklist routes, for the gateway's document to merge. */
export function tracklistsOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  return {
    schemas: componentSchemasOf(TRACKLISTS_OPENAPI_COMPONENTS),
    paths: {
      '/api/v1/tracklists': {
        get: {
          operationId: 'listTracklists',
          summary: 'Tracklists, newest change first (filters: status, source, linked, text)',
          parameters: queryParameters(ListTracklistsQuerySchema, { descriptionAlsoInSchema: true }),
          responses: {
            '200': { description: 'A page', content: json('TracklistPage') },
            '400': problem('Invalid filter or cursor'),
          },
        },
      },
      '/api/v1/tracklists/searches': {
        post: {
          ...token,
          operationId: 'searchTracklist',
          summary: 'Look a set file up on 1001Tracklists (a sure match is linked; others wait as candidates)',
          description: events,
          requestBody: body(SearchBodySchema),
          responses: {
            '202': { description: 'Queued', content: json('TracklistRequestAccepted') },
            '400': problem('Invalid body'),
            ...unauthorized,
            '404': problem('No such file'),
            '422': problem('The file has no audio'),
            '503': problem('The message bus did not accept the request'),
          },
        },
      },
      '/api/v1/tracklists/scrapes': {
        post: {
          ...token,
          operationId: 'scrapeTracklist',
          summary: "Read a 1001Tracklists page by URL, optionally linking it to a set (a person's link)",
          description: events + ' Only 1001tracklists.com addresses are fetched.',
          requestBody: body(ScrapeBodySchema),
          responses: {
            '202': { description: 'Queued', content: json('TracklistRequestAccepted') },
            '400': problem('Invalid body'),
            ...unauthorized,
            '404': problem('No such file'),
            '503': problem('The message bus did not accept the request'),
          },
        },
      },
      '/api/v1/mixes/{fileId}/tracklists': {
        get: {
          operationId: 'getMixTracklists',
          summary:
            "A set's look-up record (status, candidates) and every linked tracklist side by side, with agreement",
          parameters: [fileId],
          responses: {
            '200': { description: 'The set', content: json('MixTracklists') },
            '404': problem('No such file'),
          },
        },
      },
      '/api/v1/tracklists/{id}': {
        get: {
          operationId: 'getTracklist',
          summary: 'A tracklist with its tracks (people’s edits applied) and versions',
          parameters: [id, { name: 'version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } }],
          responses: {
            '200': { description: 'The tracklist', content: json('TracklistDetail') },
            '404': problem('No such tracklist or version'),
          },
        },
      },
      '/api/v1/tracklists/{id}/rescrape': {
        post: {
          ...token,
          operationId: 'rescrapeTracklist',
          summary: 'Read the 1001Tracklists page again; a change adds a version',
          description: events,
          parameters: [id],
          responses: {
            '202': { description: 'Queued', content: json('TracklistRequestAccepted') },
            ...unauthorized,
            '404': problem('No such tracklist'),
            '409': problem('The tracklist does not come from 1001Tracklists'),
            '503': problem('The message bus did not accept the request'),
          },
        },
      },
      '/api/v1/tracklists/{id}/review': {
        put: {
          ...token,
          operationId: 'reviewTracklist',
          summary: 'Approve or reject a tracklist (or set it back to proposed); an approved one feeds the proposer',
          parameters: [id],
          requestBody: body(ReviewBodySchema),
          responses: {
            '200': { description: 'The tracklist', content: json('TracklistDetail') },
            '400': problem('Invalid body'),
            ...unauthorized,
            '404': problem('No such tracklist'),
          },
        },
      },
      '/api/v1/tracklists/{id}/links/{fileId}': {
        put: {
          ...token,
          operationId: 'linkTracklist',
          summary: "Link a tracklist to a set (and its exact copies); a person's link, never replaced by the matcher",
          parameters: [id, fileId],
          responses: {
            '200': { description: 'The tracklist', content: json('TracklistDetail') },
            ...unauthorized,
            '404': problem('No such tracklist or file'),
          },
        },
        delete: {
          ...token,
          operationId: 'unlinkTracklist',
          summary: 'Unlink a tracklist from a set; the matcher will not link it again',
          parameters: [id, fileId],
          responses: {
            '200': { description: 'The tracklist', content: json('TracklistDetail') },
            ...unauthorized,
            '404': problem('No such tracklist or file'),
          },
        },
      },
      '/api/v1/tracklists/{id}/tracks/{trackId}': {
        patch: {
          ...token,
          operationId: 'editTracklistTrack',
          summary: "Correct a track's artist, title or start time",
          parameters: [id, trackId],
          requestBody: body(TrackEditBodySchema),
          responses: {
            '200': { description: 'The tracklist', content: json('TracklistDetail') },
            '400': problem('Invalid body'),
            ...unauthorized,
            '404': problem('No such tracklist or track'),
          },
        },
        delete: {
          ...token,
          operationId: 'deleteTracklistTrack',
          summary: 'Remove a track',
          parameters: [id, trackId],
          responses: {
            '204': { description: 'Removed' },
            ...unauthorized,
            '404': problem('No such tracklist or track'),
          },
        },
      },
      '/api/v1/tracklists/{id}/track-rejections': {
        post: {
          ...token,
          operationId: 'rejectTracklistTracksBelow',
          summary: 'Remove every track of the current version whose confidence is below a threshold',
          parameters: [id],
          requestBody: body(RejectBelowBodySchema),
          responses: {
            '200': { description: 'How many', content: json('RejectedTracks') },
            '400': problem('Invalid body'),
            ...unauthorized,
            '404': problem('No such tracklist'),
          },
        },
      },
      '/api/v1/tracklists/{id}/cue-sheet': {
        get: {
          operationId: 'getTracklistCueSheet',
          summary: 'The tracklist as a CUE sheet (UTF-8, INDEX mm:ss:ff at 75 frames/s, FILE type from the extension)',
          parameters: [
            id,
            {
              name: 'fileId',
              in: 'query',
              required: false,
              description: 'The mix file the sheet is for (default: the first linked)',
              schema: { type: 'string', format: 'uuid' },
            },
          ],
          responses: {
            '200': { description: 'The sheet', content: { 'application/x-cue': { schema: { type: 'string' } } } },
            '404': problem('No such tracklist or file'),
            '422': problem('The tracklist has no cue times'),
          },
        },
      },
      '/api/v1/tracklists/{id}/text': {
        get: {
          operationId: 'getTracklistText',
          summary: 'The tracklist as plain text',
          parameters: [id],
          responses: {
            '200': { description: 'The text', content: { 'text/plain': { schema: { type: 'string' } } } },
            '404': problem('No such tracklist'),
          },
        },
      },
    },
  };
}
