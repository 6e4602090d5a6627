import { fftTables } from './fft';
import { FFT_SIMD_WASM_BASE64 } from './wasm/fft-simd.wasm';

/**
 * RealFft.windowedPower in WebAssembly with 128-bit SIMD (source: wasm/fft-simd.wat). Same IEEE operations in
 * the same order per value as the JavaScript RealFft, so the power spectrum is identical to the last bit
 * (fft-simd.spec.ts compares them); RealFft stays the reference and the fallback where WebAssembly SIMD is
 * missing (`SimdRealFft.create` returns null there).
 *
 * The frame, the window and the spectrum live in the instance's own memory: a caller that fills `input` and
 * reads `power` (as PeakExtractor does) copies nothing per frame.
 */

/** The part of the WebAssembly API used here (the workspace's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
}

interface FftExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  setup(
    half: number,
    x: number,
    w: number,
    rev: number,
    re: number,
    im: number,
    nre: number,
    nim: number,
    cosH: number,
    sinH: number,
    cosF: number,
    sinF: number,
    out: number,
  ): void;
  windowedPower(lastBin: number): void;
}

let compiled: object | null | undefined;

/** The compiled module, or null when this runtime has no WebAssembly or no SIMD (compiled once per process). */
function simdModule(): object | null {
  if (compiled !== undefined) return compiled;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    compiled = api ? new api.Module(Uint8Array.from(Buffer.from(FFT_SIMD_WASM_BASE64, 'base64'))) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether SimdRealFft can run here (WebAssembly with 128-bit SIMD). */
export function simdFftAvailable(): boolean {
  return simdModule() !== null;
}

const PAGE = 65536;

export class SimdRealFft {
  readonly size: number;
  /** The frame to transform (N samples), in the module's memory. */
  readonly input: Float64Array;
  /** |X[k]|² after `compute`, for the bins asked (N/2 + 1 values; the others keep what they had). */
  readonly power: Float64Array;
  private readonly window: Float64Array;
  private readonly exports: FftExports;
  private windowSource: Float64Array | null = null;

  /** A transform of `size` (a power of two ≥ 16), or null when WebAssembly SIMD is not available. */
  static create(size: number): SimdRealFft | null {
    const module = simdModule();
    return module ? new SimdRealFft(module, size) : null;
  }

  private constructor(module: object, size: number) {
    if (!Number.isInteger(size) || size < 16 || (size & (size - 1)) !== 0) {
      throw new RangeError(`SIMD FFT size must be a power of two ≥ 16, got ${size}`);
    }
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly as WasmApi;
    this.exports = new api.Instance(module).exports as unknown as FftExports;
    this.size = size;
    const half = size >> 1;
    const q = half >> 1;
    // Byte layout, every block 16-byte aligned; the padding after nim, cosF, sinF and out is read (or written)
    // by the split pass's second lane on the last bin, whose value is then discarded.
    let at = 0;
    const take = (bytes: number): number => {
      const start = at;
      at += Math.ceil(bytes / 16) * 16;
      return start;
    };
    const x = take(8 * size);
    const w = take(8 * size);
    const rev = take(4 * q);
    const re = take(16 * q);
    const im = take(16 * q);
    const nre = take(8 * half);
    const nim = take(8 * half + 16);
    const cosH = take(8 * q);
    const sinH = take(8 * q);
    const cosF = take(8 * (half + 2));
    const sinF = take(8 * (half + 2));
    const out = take(8 * (half + 2));
    const memory = this.exports.memory;
    const pages = Math.ceil(at / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) memory.grow(pages);
    const buffer = memory.buffer;

    const tables = fftTables(size);
    const revTable = new Uint32Array(buffer, rev, q);
    for (let v = 0; v < q; v++) {
      // Lane 1 of position v holds sample pair rev(v + Q) = rev(v) + 1: the next two samples.
      if (tables.bitReverse[v + q] !== tables.bitReverse[v] + 1) throw new Error('bit reversal: unexpected layout');
      revTable[v] = 16 * tables.bitReverse[v];
    }
    new Float64Array(buffer, cosH, q).set(tables.cosHalf.subarray(0, q));
    new Float64Array(buffer, sinH, q).set(tables.sinHalf.subarray(0, q));
    new Float64Array(buffer, cosF, half + 1).set(tables.cosFull);
    new Float64Array(buffer, sinF, half + 1).set(tables.sinFull);
    this.input = new Float64Array(buffer, x, size);
    this.window = new Float64Array(buffer, w, size);
    this.power = new Float64Array(buffer, out, half + 1);
    this.exports.setup(half, x, w, rev, re, im, nre, nim, cosH, sinH, cosF, sinF, out);
  }

  /** Sets the window the next frames are multiplied by (copied into the module's memory). */
  setWindow(window: Float64Array): void {
    if (window.length !== this.size) throw new RangeError(`window of ${window.length} for an FFT of ${this.size}`);
    this.window.set(window);
    this.windowSource = window;
  }

  /** `power[k]` = |X[k]|² of `input`·window for k = 1 … `lastBin` (RealFft.windowedPower on the own buffers). */
  compute(lastBin: number): void {
    this.exports.windowedPower(lastBin);
  }

  /**
   * RealFft.windowedPower's signature, for callers with their own arrays: copies `input` (and `window`, when it
   * is not the one set last) in and the spectrum out.
   */
  windowedPower(input: Float64Array, window: Float64Array, out: Float64Array, lastBin: number): void {
    if (window !== this.windowSource) this.setWindow(window);
    if (input !== this.input) this.input.set(input.subarray(0, this.size));
    this.exports.windowedPower(lastBin);
    const half = this.size >> 1;
    const last = Math.min(lastBin, half);
    if (last >= 1) out.set(this.power.subarray(1, last + 1), 1);
  }
}
