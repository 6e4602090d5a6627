import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';

/**
 * Holds an uploaded excerpt in a private temporary folder while it is decoded (ffmpeg needs a seekable file
 * for MP4/M4A, whose index may sit at the end). The only place the gateway writes a file; never in the library.
 */
@Injectable()
export class ExcerptFileRepository {
  async withTemporaryFile<T>(bytes: Buffer, use: (filePath: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(tmpdir(), 'crateflow-excerpt-'));
    try {
      const file = path.join(dir, 'excerpt');
      await writeFile(file, bytes, { mode: 0o600 });
      return await use(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
