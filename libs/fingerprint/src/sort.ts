/**
 * Permutation that sorts `keys[0 … n)` ascending as signed 32-bit integers; stable. Two LSD radix passes of
 * 16 bits for large inputs (linear time, no comparator calls), a comparator sort for small ones.
 */
export function argsortInt32(keys: Int32Array, n = keys.length): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (n < 1024) {
    out.sort((a, b) => keys[a] - keys[b] || a - b);
    return out;
  }
  const tmp = new Int32Array(n);
  const count = new Int32Array(65537);
  // Pass 1: low 16 bits.
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
