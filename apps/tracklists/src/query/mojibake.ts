/**
 * Names copied between systems often carry UTF-8 bytes that were decoded as Windows-1252 or Latin-1
 * ("BjÃ¶rk", "Ã‚me"). Such text is re-encoded to the bytes it came from and decoded as UTF-8 again; the repair
 * is kept only when the bytes are valid UTF-8 and the result is shorter, so correct text (which rarely forms
 * valid multi-byte sequences from these characters) is left alone.
 */

/** Windows-1252's characters for bytes 0x80–0x9f (undefined bytes stay as their Latin-1 control code). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const CP1252_BYTE = new Map<string, number>([...CP1252_HIGH].map((ch, i) => [ch, 0x80 + i]));

const SUSPECT = /[ÃÂÅÄÆÐÑØâãäåæçèéêëìíîïðñòóôõö×ùúûüýþÞß][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/;

function toCp1252Bytes(text: string): Uint8Array | null {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) out.push(code);
    else if (code >= 0x80 && code < 0xa0) out.push(code);
    else {
      const b = CP1252_BYTE.get(ch);
      if (b === undefined) return null;
      out.push(b);
    }
  }
  return Uint8Array.from(out);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text with UTF-8-read-as-Windows-1252 mojibake undone (up to two layers), NFC-normalised. */
export function repairMojibake(text: string): string {
  let current = text;
  for (let layer = 0; layer < 2 && SUSPECT.test(current); layer++) {
    const bytes = toCp1252Bytes(current);
    if (!bytes) break;
    let decoded: string;
    try {
      decoded = strictUtf8.decode(bytes);
    } catch {
      break;
    }
    if (decoded.length >= current.length) break;
    current = decoded;
  }
  return current.normalize('NFC');
}
