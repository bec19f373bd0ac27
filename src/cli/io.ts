import { terminalStream, type Stream } from './output';
import type { Problem } from '../runtime/problem';
import { problemEventJson } from './json';

/** Where a command writes. stdout carries results (or JSON lines with --json); stderr carries errors. */
export interface Io {
  out: Stream;
  err: Stream;
}

/** stdout and stderr, escaping control characters in everything but our own colours (output.ts, terminalStream). */
export const processIo: Io = { out: terminalStream(process.stdout), err: terminalStream(process.stderr) };

/** Writes one JSON object as one line. */
export function writeJson(io: Io, value: unknown): void {
  io.out.write(JSON.stringify(value) + '\n');
}

export function writeProblemJson(io: Io, p: Problem): void {
  writeJson(io, problemEventJson(p));
}
