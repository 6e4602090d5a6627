/** Bucket counts reused by every argsort (a fresh 256 KiB array per call was a good part of a mix's GC). */
const COUNT = new Int32Array(65537);

/**
 * Permutation that sorts `keys[0 … n)` ascending as signed 32-bit integers; stable. A comparator sort for
 * small inputs; one counting pass when the keys span fewer than 65,536 values (track ids of a window's
 * matches); otherwise two LSD radix passes of 16 bits (linear time, no comparator calls).
 */
export function argsortInt32(keys: Int32Array, n = keys.length): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (n < 1024) {
    out.sort((a, b) => keys[a] - keys[b] || a - b);
    return out;
  }
  const count = COUNT;
  let lo = keys[0];
  let hi = keys[0];
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    if (k < lo) lo = k;
    else if (k > hi) hi = k;
  }
  if (hi - lo < 65536) {
    const span = hi - lo + 1;
    count.fill(0, 0, span + 1);
    for (let i = 0; i < n; i++) count[keys[i] - lo + 1]++;
    for (let b = 0; b < span; b++) count[b + 1] += count[b];
    for (let i = 0; i < n; i++) out[count[keys[i] - lo]++] = i;
    return out;
  }
  const tmp = new Int32Array(n);
  // Pass 1: low 16 bits.
  count.fill(0);
  for (let i = 0; i < n; i++) count[(keys[i] & 0xffff) + 1]++;
  for (let b = 0; b < 65536; b++) count[b + 1] += count[b];
  for (let i = 0; i < n; i++) tmp[count[keys[i] & 0xffff]++] = i;
  // Pass 2: high 16 bits with the sign bit flipped so negative keys come first.
  count.fill(0);
  for (let i = 0; i < n; i++) count[((keys[i] >>> 16) ^ 0x8000) + 1]++;
  for (let b = 0; b < 65536; b++) count[b + 1] += count[b];
  for (let i = 0; i < n; i++) {
    const j = tmp[i];
    out[count[(keys[j] >>> 16) ^ 0x8000]++] = j;
  }
  return out;
}
