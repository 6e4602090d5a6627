/**
 * Minimal typings for the parts of essentia.js 0.1.3 Crateflow uses (the package ships no types entry).
 * Vectors are Emscripten-owned objects: every one passed in or returned must be `.delete()`d.
 */
declare module 'essentia.js/dist/essentia-wasm.umd.js' {
  const EssentiaWASM: unknown;
  export = EssentiaWASM;
}

declare module 'essentia.js/dist/essentia.js-core.umd.js' {
  import type { EssentiaVector } from 'essentia.js';
  class Essentia {
    constructor(wasm: unknown, isDebug?: boolean);
    readonly version: string;
    readonly module: { HEAPU8: Uint8Array };
    arrayToVector(a: Float32Array): EssentiaVector;
    vectorToArray(v: EssentiaVector): Float32Array;
    shutdown(): void;
    delete(): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [algorithm: string]: any;
  }
  export = Essentia;
}

declare module 'essentia.js' {
  /** An Emscripten std::vector<float> living in the WASM heap. */
  export interface EssentiaVector {
    size(): number;
    get(i: number): number;
    delete(): void;
  }
  export const EssentiaWASM: unknown;
  export const Essentia: typeof import('essentia.js/dist/essentia.js-core.umd.js');
}
