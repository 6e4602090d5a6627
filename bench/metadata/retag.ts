import { crc32Ogg } from '../../apps/metadata/src/tags/source-file';

/**
 * Writes new tags into copies of a few ffmpeg-made templates, in code, so thousands of distinct
 * tagged files take seconds instead of thousands of ffmpeg runs. Each function takes the template's
 * bytes and returns a complete file.
 */
export interface BenchTags {
  artist: string;
  title: string;
  album: string;
  albumArtist: string;
  track: number;
  trackTotal: number;
  year: number;
  genre: string;
  label: string;
  bpm: number;
  key: string;
  comment: string;
  /** JPEG bytes of a cover, or null. */
  cover: Buffer | null;
}

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

// ------------------------------------------------------------------ MP3: an ID3v2.4 tag in front

function syncsafe(n: number): Buffer {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

function id3Frame(id: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id, 'latin1'), syncsafe(body.length), Buffer.from([0, 0]), body]);
}

const id3Text = (id: string, value: string) =>
  id3Frame(id, Buffer.concat([Buffer.from([3]), Buffer.from(value, 'utf8')]));

/** `audio` is the template without any ID3 tag. */
export function mp3WithTags(audio: Buffer, t: BenchTags): Buffer {
  const frames = [
    id3Text('TPE1', t.artist),
    id3Text('TIT2', t.title),
    id3Text('TALB', t.album),
    id3Text('TPE2', t.albumArtist),
    id3Text('TRCK', `${t.track}/${t.trackTotal}`),
    id3Text('TDRC', String(t.year)),
    id3Text('TCON', t.genre),
    id3Text('TPUB', t.label),
    id3Text('TBPM', String(t.bpm)),
    id3Text('TKEY', t.key),
    id3Frame(
      'COMM',
      Buffer.concat([Buffer.from([3]), Buffer.from('eng', 'latin1'), Buffer.from(`\0${t.comment}`, 'utf8')]),
    ),
  ];
  if (t.cover) {
    frames.push(
      id3Frame(
        'APIC',
        Buffer.concat([Buffer.from([0]), Buffer.from('image/jpeg\0', 'latin1'), Buffer.from([3, 0]), t.cover]),
      ),
    );
  }
  const body = Buffer.concat([...frames, Buffer.alloc(512)]); // padding, as taggers leave
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(body.length), body, audio]);
}

// ------------------------------------------------------------------ Vorbis comments (FLAC and Ogg)

function vorbisComments(t: BenchTags): [string, string][] {
  return [
    ['ARTIST', t.artist],
    ['TITLE', t.title],
    ['ALBUM', t.album],
    ['ALBUMARTIST', t.albumArtist],
    ['TRACKNUMBER', String(t.track)],
    ['TRACKTOTAL', String(t.trackTotal)],
    ['DATE', String(t.year)],
    ['GENRE', t.genre],
    ['LABEL', t.label],
    ['BPM', String(t.bpm)],
    ['INITIALKEY', t.key],
    ['COMMENT', t.comment],
  ];
}

function vorbisCommentBody(comments: [string, string][], vendor: string): Buffer {
  const parts: Buffer[] = [];
  const v = Buffer.from(vendor, 'utf8');
  parts.push(u32le(v.length), v, u32le(comments.length));
  for (const [k, value] of comments) {
    const c = Buffer.from(`${k}=${value}`, 'utf8');
    parts.push(u32le(c.length), c);
  }
  return Buffer.concat(parts);
}

function flacPicture(jpeg: Buffer): Buffer {
  const mime = Buffer.from('image/jpeg', 'latin1');
  return Buffer.concat([
    u32be(3),
    u32be(mime.length),
    mime,
    u32be(0),
    u32be(500),
    u32be(500),
    u32be(24),
    u32be(0),
    u32be(jpeg.length),
    jpeg,
  ]);
}

/** `template` is a FLAC file; its STREAMINFO and audio frames are kept, every other block replaced. */
export function flacWithTags(template: Buffer, t: BenchTags): Buffer {
  let pos = 4;
  let streamInfo: Buffer | null = null;
  for (let last = false; !last;) {
    last = (template[pos] & 0x80) !== 0;
    const type = template[pos] & 0x7f;
    const len = template.readUIntBE(pos + 1, 3);
    if (type === 0) streamInfo = template.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
  }
  if (!streamInfo) throw new Error('template has no STREAMINFO');
  const blocks: [number, Buffer][] = [
    [0, streamInfo],
    [4, vorbisCommentBody(vorbisComments(t), 'reference libFLAC 1.4.2')],
  ];
  if (t.cover) blocks.push([6, flacPicture(t.cover)]);
  blocks.push([1, Buffer.alloc(2048)]);
  const parts: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  blocks.forEach(([type, data], i) => {
    const h = Buffer.alloc(4);
    h[0] = (i === blocks.length - 1 ? 0x80 : 0) | type;
    h.writeUIntBE(data.length, 1, 3);
    parts.push(h, data);
  });
  parts.push(template.subarray(pos));
  return Buffer.concat(parts);
}

// ------------------------------------------------------------------ Ogg Vorbis: new comment packet, pages renumbered

interface OggPage {
  headerType: number;
  granule: Buffer;
  serial: number;
  segments: number[];
  body: Buffer;
}

function readOggPages(file: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  let pos = 0;
  while (pos + 27 <= file.length && file.toString('latin1', pos, pos + 4) === 'OggS') {
    const nsegs = file[pos + 26];
    const segments = [...file.subarray(pos + 27, pos + 27 + nsegs)];
    const bodyLen = segments.reduce((a, b) => a + b, 0);
    const start = pos + 27 + nsegs;
    pages.push({
      headerType: file[pos + 5],
      granule: file.subarray(pos + 6, pos + 14),
      serial: file.readUInt32LE(pos + 14),
      segments,
      body: file.subarray(start, start + bodyLen),
    });
    pos = start + bodyLen;
  }
  return pages;
}

function writeOggPage(page: OggPage, sequence: number): Buffer {
  const header = Buffer.alloc(27 + page.segments.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = page.headerType;
  page.granule.copy(header, 6);
  header.writeUInt32LE(page.serial, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = page.segments.length;
  Buffer.from(page.segments).copy(header, 27);
  const out = Buffer.concat([header, page.body]);
  out.writeUInt32LE(crc32Ogg(out), 22);
  return out;
}

/** Lays packets out on pages (at most 255 lacing values each); the first page may not be continued. */
function paginate(packets: Buffer[], serial: number): OggPage[] {
  const pages: OggPage[] = [];
  let segments: number[] = [];
  let bodies: Buffer[] = [];
  let continued = false;
  const flush = (nextContinued: boolean) => {
    pages.push({
      headerType: continued ? 1 : 0,
      granule: Buffer.alloc(8),
      serial,
      segments,
      body: Buffer.concat(bodies),
    });
    segments = [];
    bodies = [];
    continued = nextContinued;
  };
  for (const packet of packets) {
    let offset = 0;
    for (;;) {
      const take = Math.min(255, packet.length - offset);
      segments.push(take);
      bodies.push(packet.subarray(offset, offset + take));
      offset += take;
      const done = take < 255;
      if (segments.length === 255) flush(!done);
      if (done) break;
    }
  }
  if (segments.length > 0) flush(false);
  return pages;
}

export function oggVorbisWithTags(template: Buffer, t: BenchTags): Buffer {
  const pages = readOggPages(template);
  // Collect the three header packets and find the page where the setup packet ends.
  const packets: Buffer[] = [];
  let current: Buffer[] = [];
  let audioStart = -1;
  for (let i = 0; i < pages.length && audioStart < 0; i++) {
    let offset = 0;
    for (const seg of pages[i].segments) {
      current.push(pages[i].body.subarray(offset, offset + seg));
      offset += seg;
      if (seg < 255) {
        packets.push(Buffer.concat(current));
        current = [];
        if (packets.length === 3) audioStart = i + 1;
      }
    }
  }
  if (packets.length < 3) throw new Error('template has no complete Vorbis headers');
  const comment = Buffer.concat([
    Buffer.from('\x03vorbis', 'latin1'),
    vorbisCommentBody(vorbisComments(t), 'Xiph.Org libVorbis I 20200704 (Reducing Environment)'),
    Buffer.from([1]),
  ]);
  const serial = pages[0].serial;
  const out: Buffer[] = [writeOggPage(pages[0], 0)];
  let seq = 1;
  for (const page of paginate([comment, packets[2]], serial)) out.push(writeOggPage(page, seq++));
  for (const page of pages.slice(audioStart)) out.push(writeOggPage(page, seq++));
  return Buffer.concat(out);
}

// ------------------------------------------------------------------ M4A: a new ilst in a moov at the end

function box(type: string, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([u32be(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

const dataBox = (type: number, value: Buffer) => box('data', u32be(type), u32be(0), value);
const textItem = (name: string, value: string) => box(name, dataBox(1, Buffer.from(value, 'utf8')));
const freeform = (name: string, value: string) =>
  box(
    '----',
    box('mean', u32be(0), Buffer.from('com.apple.iTunes', 'latin1')),
    box('name', u32be(0), Buffer.from(name, 'latin1')),
    dataBox(1, Buffer.from(value, 'utf8')),
  );

function ilst(t: BenchTags): Buffer {
  const trkn = Buffer.alloc(8);
  trkn.writeUInt16BE(t.track, 2);
  trkn.writeUInt16BE(t.trackTotal, 4);
  const tmpo = Buffer.alloc(2);
  tmpo.writeUInt16BE(t.bpm);
  const items = [
    textItem('\u00a9ART', t.artist),
    textItem('\u00a9nam', t.title),
    textItem('\u00a9alb', t.album),
    textItem('aART', t.albumArtist),
    box('trkn', dataBox(0, trkn)),
    textItem('\u00a9day', String(t.year)),
    textItem('\u00a9gen', t.genre),
    box('tmpo', dataBox(21, tmpo)),
    textItem('\u00a9cmt', t.comment),
    freeform('LABEL', t.label),
    freeform('initialkey', t.key),
  ];
  if (t.cover) items.push(box('covr', dataBox(13, t.cover)));
  return box('ilst', ...items);
}

interface Box {
  type: string;
  start: number;
  end: number;
  headerLen: number;
}

function children(buf: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  let pos = start;
  while (pos + 8 <= end) {
    const size = buf.readUInt32BE(pos);
    if (size < 8) break;
    out.push({ type: buf.toString('latin1', pos + 4, pos + 8), start: pos, end: pos + size, headerLen: 8 });
    pos += size;
  }
  return out;
}

/** `template` is an M4A whose moov follows mdat (ffmpeg's default), so chunk offsets stay valid. */
export function m4aWithTags(template: Buffer, t: BenchTags): Buffer {
  const top = children(template, 0, template.length);
  const moovIndex = top.findIndex((b) => b.type === 'moov');
  const mdatIndex = top.findIndex((b) => b.type === 'mdat');
  if (moovIndex < mdatIndex) throw new Error('template must have its moov box after mdat');
  const moov = top[moovIndex];
  const moovChildren = children(template, moov.start + 8, moov.end).filter((c) => c.type !== 'udta');
  // meta is a full box: version and flags come before its children; hdlr says "mdir"/"appl".
  const hdlr = box('hdlr', u32be(0), u32be(0), Buffer.from('mdirappl', 'latin1'), Buffer.alloc(9));
  const udta = box('udta', box('meta', u32be(0), hdlr, ilst(t)));
  const newMoov = box('moov', ...moovChildren.map((c) => template.subarray(c.start, c.end)), udta);
  return Buffer.concat([template.subarray(0, moov.start), newMoov, template.subarray(moov.end)]);
}
