import { z } from 'zod';
import { componentSchemasOf } from '../openapi/component-schemas';
import { openApiHelpers } from '../openapi/openapi-helpers';
import { FileFingerprintSchema } from '../fingerprint/fingerprint.schemas';
import { FingerprintIndexStatusSchema } from '../fingerprint/index-status.schemas';
import { ExcerptIdentificationSchema } from '../identify/identify.schemas';
import {
  BulkIdentifyAcceptedSchema,
  BulkIdentifyBodySchema,
  MixIdentificationSchema,
  MixJobAcceptedSchema,
  MixJobCancellingSchema,
} from './mixes.schemas';

type JsonSchema = Record<string, unknown>;

/** Component schemas of the fingerprint routes (mixes, excerpt look-up, the file detail's `fingerprint` part). */
export const FINGERPRINT_OPENAPI_COMPONENTS = {
  MixJobAccepted: MixJobAcceptedSchema,
  MixJobCancelling: MixJobCancellingSchema,
  BulkIdentifyAccepted: BulkIdentifyAcceptedSchema,
  MixIdentification: MixIdentificationSchema,
  ExcerptIdentification: ExcerptIdentificationSchema,
  FileFingerprint: FileFingerprintSchema,
  FingerprintIndexStatus: FingerprintIndexStatusSchema,
} as const;

const { json, problem, pathParameter } = openApiHelpers<keyof typeof FINGERPRINT_OPENAPI_COMPONENTS>();
const fileIdParameter = pathParameter('fileId', "The mix file's id");

/**
 * The OpenAPI description of the mix identification and excerpt look-up routes, for the gateway's document to
 * merge (like the duplicates routes). Refers to the document's `Problem` schema and `apiToken` scheme.
 */
export function fingerprintOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  const out = componentSchemasOf(FINGERPRINT_OPENAPI_COMPONENTS);
  const { $schema: _b, ...bulkBody } = z.toJSONSchema(BulkIdentifyBodySchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const stateChanging = { security: [{ apiToken: [] }] };
  const events = 'Progress arrives as `mix.identify.progressed` and `mix.identify.finished` on /api/v1/events.';
  return {
    schemas: out,
    paths: {
      '/api/v1/mixes/identify': {
        post: {
          ...stateChanging,
          operationId: 'identifyMixes',
          summary:
            'Identify the library tracks inside many mixes (the listed ones, or every file at least minDurationSec long)',
          description: events,
          requestBody: { required: false, content: { 'application/json': { schema: bulkBody } } },
          responses: {
            '202': { description: 'Jobs queued', content: json('BulkIdentifyAccepted') },
            '400': problem('Invalid body, or a listed file does not exist'),
            '401': problem('Missing or wrong API token'),
            '422': problem('A listed file has no audio, or is gone from disk'),
            '503': problem('The message bus did not accept the request'),
          },
        },
      },
      '/api/v1/mixes/{fileId}/identify': {
        post: {
          ...stateChanging,
          operationId: 'identifyMix',
          summary: 'Identify the library tracks inside a mix, with start, end, speed and confidence',
          description: events,
          parameters: [fileIdParameter],
          responses: {
            '202': { description: 'Job queued', content: json('MixJobAccepted') },
            '401': problem('Missing or wrong API token'),
            '404': problem('No such file'),
            '422': problem('The file has no audio, or is gone from disk'),
            '503': problem('The message bus did not accept the request'),
          },
        },
      },
      '/api/v1/mixes/{fileId}/identification': {
        get: {
          operationId: 'getMixIdentification',
          summary: 'The newest identification of a mix: its timeline, unknown stretches, or why it failed',
          parameters: [fileIdParameter],
          responses: {
            '200': { description: 'The identification', content: json('MixIdentification') },
            '404': problem('No such file, or never identified'),
          },
        },
        delete: {
          ...stateChanging,
          operationId: 'cancelMixIdentification',
          summary: 'Stop the newest running identification of a mix, or the job given by jobId (also a queued one)',
          description: 'The job ends as `cancelled`, announced by `mix.identify.finished` on /api/v1/events.',
          parameters: [
            fileIdParameter,
            {
              name: 'jobId',
              in: 'query',
              required: false,
              description: 'The job to stop (the id its POST returned); default the newest running one',
              schema: { type: 'string', format: 'uuid' },
            },
          ],
          responses: {
            '202': { description: 'Cancellation requested', content: json('MixJobCancelling') },
            '400': problem('jobId is not a uuid'),
            '401': problem('Missing or wrong API token'),
            '404': problem('No such file, or never identified'),
            '409': problem('The identification already finished'),
            '503': problem('The message bus did not accept the request'),
          },
        },
      },
      '/api/v1/mixes/{fileId}/identification.cue': {
        get: {
          operationId: 'getMixCueSheet',
          summary: 'The newest finished timeline as a CUE sheet named after the mix',
          parameters: [fileIdParameter],
          responses: {
            '200': { description: 'The CUE sheet', content: { 'application/x-cue': { schema: { type: 'string' } } } },
            '404': problem('No such file, or no finished identification'),
          },
        },
      },
      '/api/v1/identify': {
        post: {
          ...stateChanging,
          operationId: 'identifyExcerpt',
          summary: 'Which library recordings play in an audio excerpt (a few seconds to a few minutes)',
          description:
            'The body is the audio itself, in any format ffmpeg reads, with Content-Type audio/*, video/* or application/octet-stream.',
          requestBody: {
            required: true,
            content: {
              'audio/*': { schema: { type: 'string', contentMediaType: 'audio/*' } },
              'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
            },
          },
          responses: {
            '200': { description: 'Matches, best first', content: json('ExcerptIdentification') },
            '400': problem('Empty body'),
            '401': problem('Missing or wrong API token'),
            '413': problem('Larger than IDENTIFY_MAX_UPLOAD_BYTES'),
            '415': problem('Not an audio content type'),
            '422': problem('Not audio that can be decoded'),
            '503': problem(
              'Other excerpts are being identified, or the index is being rebuilt for hashes the active one does not hold; retry later',
            ),
          },
        },
      },
      '/api/v1/fingerprint/index': {
        get: {
          operationId: 'getFingerprintIndexStatus',
          summary: 'Which fingerprint index generation answers look-ups, and the progress of an upgrade',
          description:
            'When the fingerprint algorithm or storage layout version changes, the fingerprint service builds a new ' +
            'generation of the index beside the active one, file by file, and makes it active when complete. ' +
            'Live progress arrives as `index.rebuild.progressed` on /api/v1/events.',
          responses: {
            '200': {
              description: 'The generations and the upgrade under way, if any',
              content: json('FingerprintIndexStatus'),
            },
          },
        },
      },
    },
  };
}
