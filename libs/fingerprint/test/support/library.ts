import { fingerprintFile } from '../../src/fingerprint';
import { indexTrack } from '../../src/indexing';
import { FingerprintIndex } from '../../src/store/fingerprint-index';
import { MemoryFingerprintIndex } from '../../src/store/memory-index';
import { LIBRARY } from './fixtures';

/** Indexes the library fixtures under their ids (verified read-back, as the app will do). */
export async function indexLibrary(index: FingerprintIndex = new MemoryFingerprintIndex()): Promise<FingerprintIndex> {
  for (const track of LIBRARY) await indexTrack(index, track.id, await fingerprintFile(track.file));
  return index;
}
