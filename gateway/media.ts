// Input-token estimates for the media parts of a chat request (images, audio): what the reservation holds for
// them before the engine counts. A vision or audio engine counts a part by its size (Qwen2-VL one token per
// 28×28 pixels up to ~16k tokens, LLaVA-NeXT up to 2,880, Whisper-style encoders 25-50 tokens per second),
// so a flat figure per part under-reserves a large image by ×30. The estimate reads the size where the request
// declares it — the header of an inline (base64 `data:`) image, the byte length and WAV header of inline
// audio — and uses a default for a remote URL (the gateway never fetches it). Settlement charges the engine's
// count, so an estimate only decides admission; the number of media parts is bounded (MAX_MEDIA_PARTS).
// The OpenAI `detail` hint is not used to lower an estimate: vLLM, TGI, llama.cpp and Ollama ignore it, so a
// client declaring "low" on a 16k-token image would be reserved 85. Pure, bounded work per part: at most
// HEADER_BYTES of base64 are decoded, and no regular expression runs over the client's data.

/** Media parts (images + audio) one request may carry. */
export const MAX_MEDIA_PARTS = 64;
/** A remote image (size unknown): about a 1.6-megapixel image at 28×28 pixels per token. */
export const IMAGE_DEFAULT_TOKENS = 2048;
export const IMAGE_PIXELS_PER_TOKEN = 28 * 28;
export const MEDIA_MIN_TOKENS = 64;
export const MEDIA_MAX_TOKENS = 16_384;
/** Audio whose length is unknown (no inline data). */
export const AUDIO_DEFAULT_TOKENS = 512;
export const AUDIO_TOKENS_PER_SECOND = 25;
/** Compressed audio of unknown bitrate is timed at 32 kbit/s (a floor for speech codecs: an upper bound on length). */
export const AUDIO_MIN_BYTES_PER_SECOND = 4000;
/** Decoded bytes read for a header (a JPEG frame header can follow ~64 KiB of EXIF). */
export const HEADER_BYTES = 64 * 1024;

const clampTokens = (t: number): number => Math.min(MEDIA_MAX_TOKENS, Math.max(MEDIA_MIN_TOKENS, Math.ceil(t)));

/** The base64 payload of a `data:…;base64,` URL (undefined for anything else). */
export function dataUrlPayload(url: string): string | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',', 5);
  if (comma < 0 || comma > 256 || !url.slice(5, comma).endsWith(';base64')) return undefined;
  return url.slice(comma + 1);
}

/** The first `bytes` decoded bytes of a base64 payload. */
function decodePrefix(b64: string, bytes: number): Buffer {
  const chars = Math.ceil(bytes / 3) * 4;
  return Buffer.from(b64.length > chars ? b64.slice(0, chars) : b64, 'base64');
}

/** Width and height from a PNG, GIF, WebP or JPEG header; undefined when the bytes are none of those. */
export function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR')
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8')
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  return undefined;
}

/** JPEG: walk the marker segments to the first frame header (SOF0-15 but DHT, JPG, DAC). */
function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const m = b[i + 1]!;
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
      return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    if (m === 0xd9 || m === 0xda) return undefined; // end of image / start of scan before any frame header
    i += 2 + b.readUInt16BE(i + 2);
  }
  return undefined;
}

/** Estimated tokens of an `image_url` part's value (a URL string or `{ url, detail }`). */
export function imageTokens(imageUrl: unknown): number {
  const url =
    typeof imageUrl === 'string'
      ? imageUrl
      : imageUrl !== null && typeof imageUrl === 'object' && Object.hasOwn(imageUrl, 'url')
        ? (imageUrl as { url: unknown }).url
        : undefined;
  const b64 = typeof url === 'string' ? dataUrlPayload(url) : undefined;
  const size = b64 === undefined ? undefined : imageSize(decodePrefix(b64, HEADER_BYTES));
  if (!size || size.width === 0 || size.height === 0) return IMAGE_DEFAULT_TOKENS;
  return clampTokens((size.width * size.height) / IMAGE_PIXELS_PER_TOKEN);
}

/** Estimated tokens of an `input_audio` part's value (`{ data: base64, format }`). */
export function audioTokens(audio: unknown): number {
  const data =
    audio !== null && typeof audio === 'object' && Object.hasOwn(audio, 'data')
      ? (audio as { data: unknown }).data
      : undefined;
  if (typeof data !== 'string' || data.length === 0) return AUDIO_DEFAULT_TOKENS;
  const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  const head = decodePrefix(data, 44);
  const wav =
    head.length >= 32 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 16) === 'WAVEfmt ';
  const byteRate = wav ? head.readUInt32LE(28) : 0;
  const seconds = bytes / (byteRate > 0 ? byteRate : AUDIO_MIN_BYTES_PER_SECOND);
  return clampTokens(seconds * AUDIO_TOKENS_PER_SECOND);
}
