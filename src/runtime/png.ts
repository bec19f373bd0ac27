/**
 * Checks on PNG bytes before pngjs decodes them, shared by the dataset reader (data/images.ts) and the grid reader
 * (train/grid.ts, which animations and the views use on run folders). pngjs allocates what the header declares and
 * bounds its inflation by the image size, except for interlaced PNGs, which it inflates without a limit: a 1 MB
 * interlaced 1×1 image carried a zlib bomb that reached 2.1 GB. So the header is read first, and interlaced pixel
 * data is inflated once with a cap.
 */
import * as zlib from 'node:zlib';

export interface PngHeader {
  width: number;
  height: number;
  colorType: number;
  interlaced: boolean;
}

/** The IHDR of PNG bytes, or undefined when they are not a PNG. */
export function pngHeader(bytes: Uint8Array): PngHeader | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 29 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), colorType: b[25], interlaced: b[28] === 1 };
}

/**
 * Throws when the pixel data of an interlaced PNG inflates past what a `width`×`height` image can hold (at most
 * 8 bytes a pixel, RGBA at 16 bits, plus a filter byte per row in each of the 7 passes). Inflation stops at the
 * cap, so a bomb costs at most that much memory, briefly.
 */
export function checkPngInflation(bytes: Uint8Array, width: number, height: number): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[28] !== 1) return;
  const idat: Buffer[] = [];
  for (let o = 8; o + 8 <= b.length;) {
    const len = b.readUInt32BE(o);
    if (b.toString('latin1', o + 4, o + 8) === 'IDAT') idat.push(b.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const bound = width * height * 8 + 7 * height + 1024;
  try {
    zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: bound });
  } catch (err) {
    throw new Error(`its pixel data does not inflate to a ${width}×${height} image (${(err as Error).message})`);
  }
}
