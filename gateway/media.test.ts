// Table tests of the media part estimates (media.ts) and of their bound in a chat request (red team F6: every
// image or audio part was reserved at a flat 512 tokens, whatever its size, and their number was unbounded but
// by the part limits).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from './errors.ts';
import {
  audioTokens,
  AUDIO_DEFAULT_TOKENS,
  dataUrlPayload,
  imageSize,
  imageTokens,
  IMAGE_DEFAULT_TOKENS,
  MAX_MEDIA_PARTS,
  MEDIA_MAX_TOKENS,
  MEDIA_MIN_TOKENS,
} from './media.ts';
import { validateRequest } from './request.ts';

function png(w: number, h: number): Buffer {
  const b = Buffer.alloc(33);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
}
function gif(w: number, h: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
}
function webp(kind: 'VP8 ' | 'VP8L' | 'VP8X', w: number, h: number): Buffer {
  const b = Buffer.alloc(40);
  b.write('RIFF', 0, 'latin1');
  b.write('WEBP', 8, 'latin1');
  b.write(kind, 12, 'latin1');
  if (kind === 'VP8 ') {
    b.writeUInt16LE(w, 26);
    b.writeUInt16LE(h, 28);
  } else if (kind === 'VP8L') b.writeUInt32LE(((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14), 21);
  else {
    b.writeUIntLE(w - 1, 24, 3);
    b.writeUIntLE(h - 1, 27, 3);
  }
  return b;
}
/** A JPEG with an APP1 segment of `app1` bytes before its frame header. */
function jpeg(w: number, h: number, app1 = 16): Buffer {
  const app = Buffer.alloc(4 + app1);
  app.writeUInt16BE(0xffe1, 0);
  app.writeUInt16BE(app1 + 2, 2);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(h, 5);
  sof.writeUInt16BE(w, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app, sof]);
}
const dataUrl = (b: Buffer, mime = 'image/png'): string => `data:${mime};base64,${b.toString('base64')}`;
function wav(seconds: number, byteRate = 32_000): Buffer {
  const b = Buffer.alloc(44 + seconds * byteRate);
  b.write('RIFF', 0, 'latin1');
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(byteRate, 28);
  return b;
}

describe('imageSize', () => {
  const rows: [string, Buffer, { width: number; height: number } | undefined][] = [
    ['png', png(1024, 768), { width: 1024, height: 768 }],
    ['gif', gif(300, 200), { width: 300, height: 200 }],
    ['webp lossy', webp('VP8 ', 640, 480), { width: 640, height: 480 }],
    ['webp lossless', webp('VP8L', 2000, 1000), { width: 2000, height: 1000 }],
    ['webp extended', webp('VP8X', 4000, 3000), { width: 4000, height: 3000 }],
    ['jpeg', jpeg(4000, 3000), { width: 4000, height: 3000 }],
    ['jpeg after 60 KB of EXIF', jpeg(800, 600, 60_000), { width: 800, height: 600 }],
    ['not an image', Buffer.from('hello world, this is not an image at all'), undefined],
    ['truncated png', png(10, 10).subarray(0, 20), undefined],
  ];
  for (const [name, b, want] of rows) it(name, () => assert.deepEqual(imageSize(b), want));
});

describe('imageTokens', () => {
  const rows: [string, unknown, number][] = [
    ['remote URL: the default', { url: 'https://example.com/huge.png' }, IMAGE_DEFAULT_TOKENS],
    ['remote URL as a string', 'https://example.com/x.png', IMAGE_DEFAULT_TOKENS],
    ['inline png 1024×1024: one token per 28×28 pixels', { url: dataUrl(png(1024, 1024)) }, 1338],
    ['inline jpeg 4000×3000', { url: dataUrl(jpeg(4000, 3000), 'image/jpeg') }, 15_307],
    ['inline png 28×28: the floor', { url: dataUrl(png(28, 28)) }, MEDIA_MIN_TOKENS],
    ['inline png 20000×20000: the ceiling', { url: dataUrl(png(20_000, 20_000)) }, MEDIA_MAX_TOKENS],
    ['detail "low" does not lower it (engines ignore it)', { url: dataUrl(png(1024, 1024)), detail: 'low' }, 1338],
    ['inline but not an image: the default', { url: 'data:image/png;base64,AAAA' }, IMAGE_DEFAULT_TOKENS],
    ['zero width: the default', { url: dataUrl(png(0, 100)) }, IMAGE_DEFAULT_TOKENS],
    ['no url', {}, IMAGE_DEFAULT_TOKENS],
    ['inherited url is not read', Object.create({ url: dataUrl(png(28, 28)) }) as unknown, IMAGE_DEFAULT_TOKENS],
  ];
  for (const [name, v, want] of rows) it(name, () => assert.equal(imageTokens(v), want));
  it('dataUrlPayload: only base64 data URLs', () => {
    assert.equal(dataUrlPayload('data:image/png;base64,QUJD'), 'QUJD');
    assert.equal(dataUrlPayload('data:image/png,QUJD'), undefined);
    assert.equal(dataUrlPayload('https://x/data:;base64,QUJD'), undefined);
  });
});

describe('audioTokens', () => {
  const b64 = (b: Buffer): { data: string; format: string } => ({ data: b.toString('base64'), format: 'wav' });
  const rows: [string, unknown, number][] = [
    ['no data: the default', {}, AUDIO_DEFAULT_TOKENS],
    ['wav 30 s at 16 kHz mono: 25 tokens a second', b64(wav(30)), 751],
    ['wav 2 s', b64(wav(2)), MEDIA_MIN_TOKENS],
    [
      'mp3 of 400 KB: timed at 32 kbit/s (100 s)',
      { data: Buffer.alloc(400_000, 7).toString('base64'), format: 'mp3' },
      2500,
    ],
    ['an hour of wav: the ceiling', b64(wav(3600, 100)), MEDIA_MAX_TOKENS],
  ];
  for (const [name, v, want] of rows) it(name, () => assert.equal(audioTokens(v), want));
});

describe('media parts in a chat request', () => {
  const withParts = (parts: unknown[]): Record<string, unknown> => ({
    model: 'm',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, ...parts] }],
  });
  const image = (url: string): unknown => ({ type: 'image_url', image_url: { url } });
  it('reserves eight 4000×3000 inline images at their size, not 8 × 512', () => {
    const p = validateRequest(
      'chat.completions',
      withParts(Array.from({ length: 8 }, () => image(dataUrl(jpeg(4000, 3000), 'image/jpeg')))),
    );
    assert.equal(p.input.nonText, 8 * 15_307);
    assert.equal(p.input.overhead, 3 + 4 + 8 * 15_307);
  });
  it(`refuses more than ${MAX_MEDIA_PARTS} media parts (invalid_messages), spread over messages or not`, () => {
    const many = Array.from({ length: MAX_MEDIA_PARTS }, () => image('https://example.com/i.png'));
    assert.equal(
      validateRequest('chat.completions', withParts(many)).input.nonText,
      MAX_MEDIA_PARTS * IMAGE_DEFAULT_TOKENS,
    );
    assert.throws(
      () => validateRequest('chat.completions', withParts([...many, { type: 'input_audio', input_audio: {} }])),
      (e: unknown) => e instanceof GatewayError && e.code === 'invalid_messages' && e.param === 'messages',
    );
    const spread = Array.from({ length: MAX_MEDIA_PARTS + 1 }, () => ({
      role: 'user',
      content: [image('https://e/x.png')],
    }));
    assert.throws(() => validateRequest('chat.completions', { model: 'm', messages: spread }), GatewayError);
  });
  it('a text-only request has no non-text estimate', () => {
    assert.equal(validateRequest('chat.completions', withParts([])).input.nonText, undefined);
  });
});
