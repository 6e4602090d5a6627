import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { UndecodableAudioError } from '@crateflow/audio';
import {
  decodeForFingerprint,
  FINGERPRINT_SAMPLE_RATE,
  identifyExcerpt,
  IndexRebuildingError,
} from '@crateflow/fingerprint';
import { CONFIG } from '@crateflow/service-host';
import { recordingFileView } from '../fingerprint/fingerprint.schemas';
import { FingerprintIndexReadRepository } from '../fingerprint/fingerprint-index.repository';
import { RecordingFilesRepository } from '../fingerprint/recording-files.repository';
import type { GatewayConfig } from '../gateway.config';
import { ProblemException, ProblemTypes } from '../http/problem';
import { ExcerptFileRepository } from './excerpt-file.repository';
import type { ExcerptIdentificationView } from './identify.schemas';

/** Excerpt look-ups decode and match on the gateway's CPU; more at once would slow the API for everyone. */
export const MAX_CONCURRENT_IDENTIFICATIONS = 2;
const DECODE_TIMEOUT_MS = 60_000;

/** Which library recordings play in an uploaded excerpt (a few seconds to a few minutes of audio). */
@Injectable()
export class IdentifyService {
  private running = 0;

  constructor(
    @Inject(CONFIG)
    private readonly config: Pick<GatewayConfig, 'IDENTIFY_MAX_UPLOAD_BYTES' | 'IDENTIFY_MAX_EXCERPT_SEC'>,
    private readonly index: FingerprintIndexReadRepository,
    private readonly recordings: RecordingFilesRepository,
    private readonly excerpts: ExcerptFileRepository,
  ) {}

  async identify(body: Readable, declaredLength: number | undefined): Promise<ExcerptIdentificationView> {
    const limit = this.config.IDENTIFY_MAX_UPLOAD_BYTES;
    if (declaredLength !== undefined && declaredLength > limit) throw tooLarge(limit, 'keep-alive');
    if (this.running >= MAX_CONCURRENT_IDENTIFICATIONS) {
      throw ProblemException.unavailable('Other excerpts are being identified right now; try again in a few seconds.');
    }
    this.running++;
    try {
      const bytes = await readLimited(body, limit);
      if (bytes.length === 0) {
        throw ProblemException.validation([
          { location: 'body', field: 'body', message: 'is empty: send the audio excerpt as the request body' },
        ]);
      }
      let excerptSec = 0;
      const matches = await this.excerpts.withTemporaryFile(bytes, async (file) => {
        try {
          const pcm = decodeForFingerprint(file, {
            durationSec: this.config.IDENTIFY_MAX_EXCERPT_SEC,
            timeoutMs: DECODE_TIMEOUT_MS,
          });
          return await identifyExcerpt(
            this.index.index,
            counted(pcm, (sec) => (excerptSec = sec)),
          );
        } catch (err) {
          if (err instanceof UndecodableAudioError) {
            throw new ProblemException({
              status: HttpStatus.UNPROCESSABLE_ENTITY,
              // Never the temporary file's path: the reason only.
              detail: `The excerpt is not audio Crateflow can decode: ${err.message.split(file).join('the excerpt').slice(0, 300)}`,
            });
          }
          if (err instanceof IndexRebuildingError) throw ProblemException.unavailable(err.message, 300);
          throw err;
        }
      });
      const contents = await this.recordings.contentsOfTracks(matches.map((m) => m.trackId));
      const files = await this.recordings.bestFileOfContents([...contents.values()]);
      return {
        excerptSec: Math.round(excerptSec * 100) / 100,
        matches: matches
          .flatMap((m) => {
            const contentHash = contents.get(m.trackId);
            const file = contentHash ? files.get(contentHash) : undefined;
            if (!contentHash || !file) return [];
            return [
              {
                file: recordingFileView(file),
                contentHash,
                excerptOffsetSec: round(m.queryOffsetSec),
                fileOffsetSec: round(m.refOffsetSec),
                speed: Math.round(m.speed * 10_000) / 10_000,
                mode: m.mode,
                confidence: Math.round(m.confidence * 1000) / 1000,
                matchedSec: round(m.matchedSec),
              },
            ];
          })
          // Equally sure: the recording played as it is (a track) before one that plays it re-pitched (a mix).
          .sort((a, b) => b.confidence - a.confidence || Math.abs(a.speed - 1) - Math.abs(b.speed - 1)),
      };
    } finally {
      this.running--;
    }
  }
}

/** Passes PCM through, telling how many seconds went by. */
async function* counted(
  source: AsyncIterable<Float32Array>,
  onSeconds: (sec: number) => void,
): AsyncGenerator<Float32Array> {
  let samples = 0;
  for await (const chunk of source) {
    samples += chunk.length;
    onSeconds(samples / FINGERPRINT_SAMPLE_RATE);
    yield chunk;
  }
}

/** Reads a request body up to `limit` bytes; refuses more with 413 without reading the rest into memory. */
export async function readLimited(body: Readable, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    length += buf.length;
    if (length > limit) {
      // Stop reading, answer 413, then close: a chunked upload has no length to refuse up front and may never
      // end, so its rest is not drained; destroying the request now would reset the connection before the
      // client ever saw the answer.
      body.pause();
      throw tooLarge(limit, 'close');
    }
    parts.push(buf);
  }
  return Buffer.concat(parts, length);
}

/**
 * `keep-alive` when the declared length is over the limit: Node discards that known amount once the answer is
 * sent (never into memory), so the client finishes writing and reads the 413; closing while it still sends
 * would reset the connection and it would see EPIPE instead. `close` for a chunked body cut off mid-way.
 */
function tooLarge(limit: number, connection: 'keep-alive' | 'close'): ProblemException {
  return new ProblemException({
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    type: ProblemTypes.blank,
    detail: `The excerpt is larger than ${limit} bytes; send a shorter excerpt (a few seconds to a few minutes).`,
    headers: connection === 'close' ? { Connection: 'close' } : {},
  });
}

function round(sec: number): number {
  return Math.round(sec * 100) / 100;
}
