/**
 * PNG and JPEG bytes → 8-bit pixels, with a native decoder when one is installed and pure JS where not.
 *
 * The native decoder is @napi-rs/image (Rust: zune-jpeg, png), an optional dependency: the CLI from npm has it on
 * the platforms it ships a prebuilt binary for; the VSIX does not carry it. Measured on 178×218 JPEGs (bench/data.ts,
 * README "Image folders"), it takes about a third of sharp's CPU per image (sharp pays for a libvips pipeline per
 * call, and decodes on libuv's threads, outside the decode pool's sizing) and a tenth of jpeg-js's. It is not
 * libjpeg-turbo: its pixels differ from PIL's by about 0.4 levels on average before resizing.
 * The fallback is jpeg-js and pngjs.
 *
 * Either way the result is what PIL's `Image.open(f).convert("RGB")` would give, as far as each decoder allows:
 * CMYK JPEGs are converted (Adobe's inverted CMYK included), palettes expanded, alpha kept for the resize to drop,
 * EXIF orientation ignored (PIL ignores it too). 16-bit PNGs keep their high byte, as PIL does for 16-bit RGB
 * (PIL clips 16-bit gray to 255 instead; this does not). Truncated JPEGs are refused, as PIL refuses them:
 * the native decoder would fill the missing part with gray, so the end-of-image marker is checked first.
 */
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS, readRegularFile } from './files';
import { checkDimensions, checkInterlacedSize, parseImageHeader, type ImageHeader } from './images';
import type { Pixels } from './resize';
import { unreadable } from './types';

/** 'auto': the native decoder when it loads, else pure JS. 'js': pure JS always (tests, and the bench's comparison). */
export type DecoderChoice = 'auto' | 'js';

interface NativeImage {
  Transformer: new (input: Uint8Array) => { rawPixelsSync(): Buffer };
}

const NATIVE_PACKAGE = '@napi-rs/image';
let native: { module: NativeImage; version: string } | null | undefined;

/** The native decoder, loaded once per thread; null when it is not installed or has no binary for this platform. */
function nativeDecoder(): { module: NativeImage; version: string } | null {
  if (native !== undefined) return native;
  try {
    // Resolved at run time from node_modules: the bundles leave it out (scripts/build.mjs), the VSIX never has it.
    const req = createRequire(__filename);
    const module = req(NATIVE_PACKAGE) as NativeImage;
    const version = (req(`${NATIVE_PACKAGE}/package.json`) as { version: string }).version;
    native = { module, version };
  } catch {
    native = null;
  }
  return native;
}

/** Which decoder `choice` runs in this process, as README and the CLI name it. */
export function decoderName(choice: DecoderChoice = 'auto'): string {
  const n = choice === 'auto' ? nativeDecoder() : null;
  return n ? `${NATIVE_PACKAGE} ${n.version} (native)` : 'jpeg-js + pngjs (pure JS)';
}

/** Reads an image file (bounded) and decodes it; throws a DatasetError naming the file when it cannot. */
export function decodeImageFile(file: string, choice: DecoderChoice = 'auto'): Pixels {
  const bytes = Buffer.from(readRegularFile(file, MAX_IMAGE_FILE_BYTES, 'Downscale or recompress it.'));
  let h: ImageHeader;
  try {
    // The file may have changed since its header was read; check the header these bytes carry.
    h = parseImageHeader(bytes);
  } catch (err) {
    throw unreadable(file, `${file} is not a readable PNG or JPEG (${(err as Error).message}). Delete or replace the file.`);
  }
  checkDimensions(file, h.width, h.height);
  if (h.format === 'png' && bytes[28] === 1) checkInterlacedSize(file, bytes, h.width, h.height);
  try {
    if (h.format === 'jpeg') checkJpegEnd(bytes);
    const n = choice === 'auto' ? nativeDecoder() : null;
    return n ? decodeNative(n.module, bytes, h) : decodeJs(bytes, h);
  } catch (err) {
    throw unreadable(file, `${file} cannot be decoded (${(err as Error).message}). Delete or replace the file.`);
  }
}

/**
 * A JPEG's entropy-coded data never holds FF D9 (an FF there is followed by 00 or a restart marker), so a file
 * without an end-of-image marker after its first scan was cut short.
 */
function checkJpegEnd(bytes: Buffer): void {
  let sos = 2;
  while (sos + 4 <= bytes.length) {
    if (bytes[sos] !== 0xff) { sos++; continue; }
    const marker = bytes[sos + 1];
    if (marker === 0xda) break;
    if (marker === 0xff || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) { sos += marker === 0xff ? 1 : 2; continue; }
    sos += 2 + bytes.readUInt16BE(sos + 2);
  }
  for (let i = bytes.length - 2; i > sos; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return;
  throw new Error('it is truncated: no end-of-image marker after its image data');
}

function decodeNative(m: NativeImage, bytes: Buffer, h: ImageHeader): Pixels {
  const raw = new m.Transformer(bytes).rawPixelsSync();
  const pixels = h.width * h.height;
  // 16-bit PNGs come back as native-endian 16-bit samples: keep the high byte.
  const bytesPerSample = h.format === 'png' && h.bitDepth === 16 ? 2 : 1;
  const channels = raw.length / (pixels * bytesPerSample);
  if (!(channels === 1 || channels === 2 || channels === 3 || channels === 4)) {
    throw new Error(`the decoder returned ${raw.length} bytes for a ${h.width}×${h.height} image`);
  }
  if (bytesPerSample === 1) return { width: h.width, height: h.height, channels, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) };
  const wide = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const data = new Uint8Array(wide.length);
  for (let i = 0; i < wide.length; i++) data[i] = wide[i] >> 8;
  return { width: h.width, height: h.height, channels, data };
}

function decodeJs(bytes: Buffer, h: ImageHeader): Pixels {
  if (h.format === 'png') {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, channels: 4, data: png.data };
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
  return { width: img.width, height: img.height, channels: 4, data: img.data };
}
