import type EssentiaCore from 'essentia.js/dist/essentia.js-core.umd.js';

export type EssentiaInstance = InstanceType<typeof EssentiaCore>;

/**
 * Loads essentia.js (its WASM build is embedded in the JS file and instantiates synchronously).
 *
 * On Node, the Emscripten glue registers process-wide `unhandledRejection` (→ abort, which kills every
 * later WASM call) and `uncaughtException` (→ rethrow) handlers. They are removed again here, so a stray
 * promise rejection elsewhere in the thread cannot poison the module or take the process down.
 *
 * Each worker thread gets its own module instance and WASM heap; the heap only grows, so it is released
 * by ending the thread (see pool.ts), not by anything done here.
 */
export function loadEssentia(): EssentiaInstance {
  const rejection = process.listeners('unhandledRejection');
  const exception = process.listeners('uncaughtException');
  const wasm = require('essentia.js/dist/essentia-wasm.umd.js');
  const Core = require('essentia.js/dist/essentia.js-core.umd.js') as typeof EssentiaCore;
  for (const l of process.listeners('unhandledRejection'))
    if (!rejection.includes(l)) process.removeListener('unhandledRejection', l);
  for (const l of process.listeners('uncaughtException'))
    if (!exception.includes(l)) process.removeListener('uncaughtException', l);
  return new Core(wasm);
}

/** Essentia's C++ exceptions reach JS as bare numbers (a pointer); give them a readable message. */
export function essentiaError(algorithm: string, thrown: unknown): Error {
  if (thrown instanceof Error) return new Error(`${algorithm} failed: ${thrown.message}`);
  if (typeof thrown === 'number')
    return new Error(`${algorithm} failed inside Essentia (C++ exception, pointer ${thrown})`);
  return new Error(`${algorithm} failed: ${String(thrown)}`);
}

/** Deletes every Emscripten object among an algorithm's outputs (vectors have a `delete` method). */
export function deleteOutputs(outputs: unknown): void {
  if (!outputs || typeof outputs !== 'object') return;
  for (const v of Object.values(outputs as Record<string, unknown>)) {
    if (v && typeof (v as { delete?: unknown }).delete === 'function') (v as { delete(): void }).delete();
  }
}
