/** Format and pixel size of a cover image, from its header only (the picture is not decoded). */
export interface ImageFacts {
  format: 'jpeg' | 'png' | 'gif' | null;
  width: number | null;
  height: number | null;
}

export function readImageFacts(head: Uint8Array): ImageFacts {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8')
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker, which holds the size.
    let p = 2;
    while (p + 9 < b.length) {
      if (b[p] !== 0xff) break;
      const marker = b[p + 1];
      if (marker === 0xff) {
        p++;
        continue;
      }
      const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isStartOfFrame) return { format: 'jpeg', height: b.readUInt16BE(p + 5), width: b.readUInt16BE(p + 7) };
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
        p += 2;
        continue;
      }
      p += 2 + b.readUInt16BE(p + 2);
    }
    return { format: 'jpeg', width: null, height: null };
  }
  return { format: null, width: null, height: null };
}
