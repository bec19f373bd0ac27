/**
 * metrics.jsonl read line by line with bounds: at most `maxBytes` from `start`, no line longer than MAX_LINE kept,
 * from a regular file only (a link to /dev/zero is refused before a byte is read). Both readers of a run's events
 * use it: readRun (compare, the Compare panel) and readRunHistory (the dashboard).
 */
import * as fs from 'node:fs';
import { UnsafeFileError } from '../safeFs';

export const MAX_LINE = 1 << 20;

/**
 * Calls `onLine` for each complete line from `start`, reading at most `maxBytes`. Lines longer than MAX_LINE are
 * passed as '\u0000' (counted as skipped by the caller). Returns the offset after the last complete line.
 */
export async function readLines(file: string, start: number, maxBytes: number, onLine: (line: string) => void): Promise<{ offset: number; truncated: boolean }> {
  const fh = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UnsafeFileError(file, `${file} is not a regular file; it was not read. A run's metrics.jsonl is a file the trainer appends to.`);
    const size = st.size;
    const end = Math.min(size, start + maxBytes);
    const buf = Buffer.alloc(1 << 16);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let tooLong = false;
    let pos = start;
    let consumed = start;
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) break;
      let from = 0;
      for (let i = 0; i < bytesRead; i++) {
        if (buf[i] !== 0x0a) continue;
        const piece = buf.subarray(from, i);
        if (tooLong || pendingBytes + piece.length > MAX_LINE) onLine('\u0000');
        else onLine(pendingBytes ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8'));
        pending = [];
        pendingBytes = 0;
        tooLong = false;
        from = i + 1;
        consumed = pos + i + 1;
      }
      if (from < bytesRead) {
        if (pendingBytes + bytesRead - from > MAX_LINE) {
          tooLong = true;
          pending = [];
          pendingBytes = 0;
        } else if (!tooLong) {
          pending.push(Buffer.from(buf.subarray(from, bytesRead)));
          pendingBytes += bytesRead - from;
        }
      }
      pos += bytesRead;
    }
    return { offset: consumed, truncated: end < size };
  } finally {
    await fh.close();
  }
}

