import { capText, normaliseOrNull, normaliseText, repairMojibake } from './text';
import { sanitiseRawTags } from './raw-dump';

describe('normaliseText', () => {
  it('composes to NFC, trims, drops NUL and control characters, turns line breaks into spaces', () => {
    expect(normaliseText('  Bjo\u0308rk\u0000\u0007 \r\n Gu\u00f0mundsd\u00f3ttir\t ')).toBe('Björk   Guðmundsdóttir');
  });

  it('keeps right-to-left text, emoji, joiners and marks as data', () => {
    const text = 'שלום \u200F مرحبا 👩‍🎤 🇯🇵 é';
    expect(normaliseText(text)).toBe(text.normalize('NFC'));
  });

  it('keeps line breaks in multi-line text but normalises them', () => {
    expect(normaliseText('a\r\nb\rc\n\n\n\nd \u2028e', { multiline: true })).toBe('a\nb\nc\n\nd\ne');
  });

  it('replaces broken UTF-16 with U+FFFD', () => {
    expect(normaliseText('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
  });

  it('caps length without splitting a surrogate pair', () => {
    const out = normaliseText('🎧'.repeat(1000), { maxLength: 11 });
    expect(out.length).toBeLessThanOrEqual(11);
    expect(out).toBe('🎧🎧🎧🎧🎧…');
    expect(capText('abc', 3)).toBe('abc');
  });

  it('normaliseOrNull turns empty and whitespace-only values into null', () => {
    expect(normaliseOrNull('  \u0000 ')).toBeNull();
    expect(normaliseOrNull(undefined)).toBeNull();
    expect(normaliseOrNull(128)).toBe('128');
  });
});

describe('repairMojibake', () => {
  it('undoes UTF-8 read as Latin-1', () => {
    expect(repairMojibake('BjÃ¶rk')).toBe('Björk');
    expect(repairMojibake('æ\u009d±äº¬')).toBe('東京');
  });

  it('undoes Windows-1252 read as Latin-1 (C1 controls standing for quotes and dashes)', () => {
    expect(repairMojibake('Don\u0092t Stop \u0096 Remix')).toBe('Don’t Stop – Remix');
  });

  it('leaves correct text alone', () => {
    for (const s of ['Björk', 'Ünïcödé', 'Café del Mar', 'Motörhead', '東京', 'plain'])
      expect(repairMojibake(s)).toBe(s);
  });
});

describe('sanitiseRawTags', () => {
  it('replaces binary data by its size and keeps the structure', () => {
    const dump = sanitiseRawTags({
      'ID3v2.4': [
        { id: 'APIC', value: { format: 'image/png', type: 'Cover (front)', data: new Uint8Array(5000) } },
        { id: 'PRIV', value: Buffer.alloc(12) },
      ],
    });
    expect(dump.tags['ID3v2.4']).toEqual([
      { id: 'APIC', value: { format: 'image/png', type: 'Cover (front)', data: { binary: true, bytes: 5000 } } },
      { id: 'PRIV', value: { binary: true, bytes: 12 } },
    ]);
    expect(dump.truncated).toBe(false);
  });

  it('caps strings, entries and the total size, and says so', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ id: `TXXX:k${i}`, value: 'v'.repeat(3000) }));
    const dump = sanitiseRawTags({ vorbis: many });
    expect(dump.truncated).toBe(true);
    expect(JSON.stringify(dump).length).toBeLessThan(70 * 1024);
    expect((dump.tags.vorbis[0].value as string).length).toBeLessThanOrEqual(2048);
  });

  it('bounds nesting and drops what is not data', () => {
    const deep = {
      a: { b: { c: { d: { e: { f: 1 } } } } },
      fn: () => 1,
      n: Number.NaN,
      big: BigInt(5),
      when: new Date(0),
    };
    const dump = sanitiseRawTags({ x: [{ id: 'deep', value: deep }] });
    expect(dump.tags.x[0].value).toEqual({
      a: { b: { c: { d: null } } },
      n: null,
      big: '5',
      when: '1970-01-01T00:00:00.000Z',
    });
  });
});
