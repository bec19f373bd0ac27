/**
 * The image header checks: what a PNG or JPEG says it is (size, colour, bit depth), read from its first bytes
 * without decoding it, and checked before anything is allocated for its pixels. Opening a folder reads only these
 * (imageFolder.ts), so a folder of 200k images opens in seconds; the decoders (decode.ts) check the header again
 * on the bytes they decode, since the file may have changed in between.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPngInflation } from '../png';
import { readInto } from '../safeFs';
import { MAX_IMAGE_PIXELS, openRegular, readAt, tooLarge } from './files';
import type { Problem } from '../problem';
import { DatasetError, SUPPORTED_IMAGE_SIZES, unreadable } from './types';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Most bytes read while looking for a JPEG's frame header (EXIF and ICC segments come first and can be large). */
const MAX_HEADER_SCAN = 256 * 1024;
/** First read of a header: enough for a PNG's IHDR and most JPEGs' markers up to the frame header. */
const HEAD_BYTES = 4096;

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Stored with colour: RGB(A), palette, or a JPEG with 3 or more components (often YCbCr of a gray picture). */
  color: boolean;
  /** PNG bit depth (1–16); 8 for JPEG. */
  bitDepth: number;
  /** JPEG components: 1 gray, 3 YCbCr, 4 CMYK; 0 for PNG. */
  components: number;
}

/** Image files under `dir`, recursively, sorted. Links are not followed, and hidden files and folders are skipped. */
export function listImageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Reads what the image says it is, plus the file's size and mtime (which key the prepared cache), from one open:
 * 4 KiB first, then only the segments a JPEG's frame header lies beyond.
 */
export function readImageHeader(file: string): ImageHeader & { size: number; mtimeMs: number } {
  const { fd, size, mtimeMs } = openRegular(file);
  try {
    // One scratch buffer for every first read: a 200k-file folder is 200k headers.
    const got = readInto(fd, headScratch, 0);
    const head = got === HEAD_BYTES ? headScratch : headScratch.subarray(0, got);
    const h = parseImageHeader(head, (at, n) => Buffer.from(readAt(fd, Math.min(n, Math.max(0, size - at)), at))) as ImageHeader & { size: number; mtimeMs: number };
    checkDimensions(file, h.width, h.height);
    h.size = size;
    h.mtimeMs = mtimeMs;
    return h;
  } finally {
    fs.closeSync(fd);
  }
}
const headScratch = Buffer.alloc(HEAD_BYTES);

/** A file's header, or the problem that keeps it out of the folder's images (what opening a folder does per file). */
export function headerOrProblem(file: string): (ImageHeader & { size: number; mtimeMs: number }) | { problem: Problem } {
  try {
    const h = readImageHeader(file);
    if (!(h.width > 0 && h.height > 0)) throw new Error(`it claims a size of ${h.width}×${h.height}`);
    return h;
  } catch (err) {
    if (err instanceof DatasetError) return { problem: err.problem };
    return { problem: { code: 'data/unreadable', severity: 'error', file, message: `${file} is not a readable PNG or JPEG (${(err as Error).message}); it is skipped. Delete or replace the file.` } };
  }
}

/**
 * Parses a PNG IHDR or walks a JPEG's markers to its frame header. `more(at, n)` reads n bytes at offset `at` when
 * the walk leaves `head` (absent: the walk stops at the end of `head`).
 */
export function parseImageHeader(head: Buffer, more?: (at: number, n: number) => Buffer): ImageHeader {
  if (head.length >= 26 && head.readUInt32BE(0) === 0x89504e47 && head.toString('latin1', 12, 16) === 'IHDR') {
    const colorType = head[25];
    // Palette images (type 3) may hold colour; treat them as RGB rather than guess from the palette.
    return { format: 'png', width: head.readUInt32BE(16), height: head.readUInt32BE(20), color: colorType === 2 || colorType === 3 || colorType === 6, bitDepth: head[24], components: 0 };
  }
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) {
    let buf = head;
    let base = 0; // file offset of buf[0]
    let o = 2;
    for (;;) {
      if (o + 10 > buf.length) {
        if (!more || base + o >= MAX_HEADER_SCAN) break;
        buf = more(base + o, HEAD_BYTES);
        base += o;
        o = 0;
        if (buf.length < 10) break;
      }
      if (buf[o] !== 0xff) { o++; continue; }
      const marker = buf[o + 1];
      if (marker === 0xff) { o++; continue; }
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        const components = buf[o + 9];
        return { format: 'jpeg', height: buf.readUInt16BE(o + 5), width: buf.readUInt16BE(o + 7), color: components >= 3, bitDepth: 8, components };
      }
      o += 2 + buf.readUInt16BE(o + 2);
    }
    throw new Error(`no JPEG frame header found in its first ${MAX_HEADER_SCAN / 1024} KiB`);
  }
  throw new Error('neither a PNG nor a JPEG signature');
}

/** The decoders allocate width × height × 4 bytes from the header, so the header is checked before they run. */
export function checkDimensions(file: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw tooLarge(file, `${file} is ${width}×${height} pixels, over the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit on images DCGAN Studio decodes; it is skipped. Downscale it (the models train on at most 128×128) or remove it.`);
  }
}

/** A small interlaced image could carry a zlib bomb (see ../png.ts): its inflation is capped first. */
export function checkInterlacedSize(file: string, bytes: Buffer, width: number, height: number): void {
  try {
    checkPngInflation(bytes, width, height);
  } catch (err) {
    throw unreadable(file, `${file}: ${(err as Error).message}; the file is damaged or hostile. Delete or replace it.`);
  }
}

/** The model size an image folder is brought to when model.imageSize is absent: the largest supported size that fits. */
export function naturalImageSize(shorterSide: number): number {
  const fits = SUPPORTED_IMAGE_SIZES.filter((s) => s <= shorterSide);
  return fits.length ? fits[fits.length - 1] : SUPPORTED_IMAGE_SIZES[0];
}
