/**
 * Terminal output: problems with their causes and fixes, a live progress bar on a TTY, and plain
 * one-line-per-N-steps logging elsewhere (pytorch/examples style), so CI logs stay readable.
 */
import * as crypto from 'node:crypto';
import type { Problem } from '../runtime/problem';
import type { StepEvent } from '../runtime/events';
import { etaSeconds, formatDuration } from '../runtime/progress';
import { escapeControls } from '../runtime/text';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Our own terminal sequences (colours, the progress bar's line clear) are written as a marker that no file can
 * contain: printable characters around a random per-process key. terminalStream escapes every control character in
 * what is written, then turns the markers, and only they, into escape sequences. So text from a run folder, a
 * config or a file name (an OSC 52 clipboard write, a cursor move, a bidi override) arrives escaped, wherever in
 * the output it was put, while our colours still work.
 */
const MARK = `\u{F0000}${crypto.randomBytes(8).toString('hex')}`;
const MARKED = new RegExp(`${MARK}([[r])`, 'gu');
const ESCAPING = Symbol('terminalStream');

/** A stream that escapes control characters from all text but our own marked sequences. */
export function terminalStream<T extends Stream>(raw: T): Stream {
  return {
    write: (text: string) => raw.write(escapeControls(String(text), { keepNewlines: true }).replace(MARKED, (_, kind: string) => (kind === 'r' ? '\r' : '\x1b['))),
    get isTTY() { return raw.isTTY; },
    get columns() { return raw.columns; },
    [ESCAPING]: true,
  } as Stream;
}

/** CSI and CR as `s` takes them: marked for a terminalStream, as they are for any other stream (tests' recorders). */
const csi = (s: Stream) => (ESCAPING in s ? `${MARK}[` : '\x1b[');
const cr = (s: Stream) => (ESCAPING in s ? `${MARK}r` : '\r');
const useColor = (s: Stream) => Boolean(s.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (s: Stream, code: string, text: string) => (useColor(s) ? `${csi(s)}${code}m${text}${csi(s)}0m` : text);
/** Back to the start of the line, and clear it: the progress bar's redraw. */
const clearLine = (s: Stream) => `${cr(s)}${csi(s)}2K`;
export const bold = (s: Stream, t: string) => paint(s, '1', t);
export const dim = (s: Stream, t: string) => paint(s, '2', t);
export const red = (s: Stream, t: string) => paint(s, '31;1', t);
export const yellow = (s: Stream, t: string) => paint(s, '33', t);
export const green = (s: Stream, t: string) => paint(s, '32', t);

/** "1.2346", "-0.0012", "1.2e+5": compact and fixed enough to scan in a column. */
export function num(x: number | undefined, digits = 4): string {
  if (x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-4)) return x.toExponential(2);
  return x.toFixed(digits);
}

/** Compact: 255, 0.5, -1, 33.32 (no trailing zeros). */
export function short(x: number | undefined): string {
  if (x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

/** A problem as a block: the headline, then its causes (most likely first) and its fixes as config edits. */
export function formatProblemBlock(out: Stream, p: Problem): string {
  const tag = p.severity === 'error' ? red(out, 'error') : p.severity === 'warning' ? yellow(out, 'warning') : dim(out, 'info');
  const at = [p.step !== undefined ? `step ${p.step}` : '', location(p)].filter(Boolean).join(', ');
  const lines = [`${tag} ${bold(out, p.code)}${at ? dim(out, ` (${at})`) : ''}: ${p.message}`];
  if (p.causes?.length) {
    lines.push('  Likely causes, most likely first:');
    p.causes.forEach((c, i) => lines.push(`    ${i + 1}. ${c}`));
  }
  for (const fix of p.fixes ?? []) {
    const edits = fix.edits.map((e) => (e.value === undefined ? `remove ${e.path.join('.')}` : `${e.path.join('.')} = ${JSON.stringify(e.value)}`)).join(', ');
    lines.push(`  ${fix.isPreferred ? 'fix' : 'or'}: ${fix.title}${edits ? dim(out, ` [${edits}]`) : ''}`);
  }
  return lines.join('\n') + '\n';
}

function location(p: Problem): string {
  if (!p.file && !p.location?.path) return '';
  const line = p.location?.line ? `:${p.location.line}` : '';
  const key = p.location?.path?.length ? `${p.file ? ' at ' : 'at '}${p.location.path.join('.')}` : '';
  return `${p.file ?? ''}${line}${key}`;
}

/** The pytorch/examples line: `[120/2000] Loss_D: 1.2345 Loss_G: 0.9876 D(x): 0.51 D(G(z)): 0.47 ms: 812`. */
export function stepLine(e: StepEvent, steps: number): string {
  return `[${e.step}/${steps}] Loss_D: ${num(e.lossD)} Loss_G: ${num(e.lossG)} D(x): ${num(e.dReal, 2)} D(G(z)): ${num(e.dFake, 2)} ms: ${Math.round(e.ms)}`;
}

/** Logs every Nth step on a non-TTY: a round number that gives about 40 lines per run. */
export function logInterval(steps: number): number {
  const target = steps / 40;
  let best = 1;
  for (const n of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]) if (n <= target) best = n;
  return best;
}

/**
 * Step/steps, it/s, ETA and the four metrics. On a TTY it redraws one line; other output goes above it
 * (`print` clears the bar first). Elsewhere it prints a line every `logEvery` steps.
 */
export class Progress {
  private lastDraw = 0;
  private barVisible = false;
  private last?: StepEvent;
  private readonly tty: boolean;

  constructor(
    private readonly out: Stream,
    private readonly steps: number,
    private readonly logEvery = logInterval(steps),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tty = Boolean(out.isTTY);
  }

  step(e: StepEvent): void {
    this.last = e;
    const t = this.now();
    if (this.tty) {
      if (t - this.lastDraw > 100 || e.step >= this.steps) this.draw();
    } else if (e.step % this.logEvery === 0 || e.step >= this.steps || e.step === 1) {
      this.out.write(stepLine(e, this.steps) + '\n');
    }
  }

  /** The trainer's measure of steps per second (runtime/progress.ts); undefined until two steps have been timed. */
  rate(): number | undefined {
    return this.last?.itPerSecond;
  }

  /** Prints text above the bar (problems, sample grids, checkpoints). */
  print(text: string): void {
    this.clear();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    if (this.tty && this.last) this.draw();
  }

  /** Removes the bar so that the final summary starts on a clean line. */
  finish(): void {
    if (this.tty && this.last) {
      this.draw();
      this.out.write('\n');
      this.barVisible = false;
    }
  }

  private clear(): void {
    if (this.barVisible) {
      this.out.write(clearLine(this.out));
      this.barVisible = false;
    }
  }

  private draw(): void {
    const e = this.last!;
    this.lastDraw = this.now();
    const rate = this.rate();
    const eta = formatDuration(etaSeconds(e.step, this.steps, rate));
    const pct = Math.min(1, e.step / this.steps);
    const counter = `${String(e.step).padStart(String(this.steps).length)}/${this.steps} ${String(Math.floor(pct * 100)).padStart(3)}%`;
    const speed = `${rate ? rate.toFixed(2) : '-'} it/s ETA ${eta}`;
    const full = `Loss_D ${num(e.lossD)} Loss_G ${num(e.lossG)} D(x) ${num(e.dReal, 2)} D(G(z)) ${num(e.dFake, 2)}`;
    const compact = `D ${num(e.lossD, 3)} G ${num(e.lossG, 3)} D(x) ${num(e.dReal, 2)} D(G(z)) ${num(e.dFake, 2)}`;
    const columns = (this.out.columns ?? 100) - 1;
    // Most informative first: a bar when there is room, then the metrics without it, then short labels.
    const withBar = (metrics: string) => {
      const room = columns - counter.length - speed.length - metrics.length - 5;
      if (room < 10) return undefined;
      const width = Math.min(30, room);
      const filled = Math.round(pct * width);
      return `${counter} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${speed} ${metrics}`;
    };
    const tight = `${e.step}/${this.steps} ${rate ? rate.toFixed(2) : '-'}it/s ETA ${eta} ${compact}`;
    const candidates = [withBar(full), `${counter} ${speed} ${full}`, `${counter} ${speed} ${compact}`, tight];
    const line = candidates.find((c): c is string => c !== undefined && c.length <= columns) ?? tight.slice(0, columns);
    this.out.write(`${clearLine(this.out)}${line}`);
    this.barVisible = true;
  }
}

export function formatEval(e: { classifierScore?: number; classCoverage?: number; frechetDistance?: number; diversity: number; count: number }): string {
  const parts: string[] = [];
  if (e.classifierScore !== undefined) parts.push(`classifier score ${num(e.classifierScore, 3)}`);
  if (e.classCoverage !== undefined) parts.push(`class coverage ${e.classCoverage}/10`);
  if (e.frechetDistance !== undefined) parts.push(`Fréchet distance ${num(e.frechetDistance, 2)}`);
  parts.push(`diversity ${num(e.diversity, 3)}`);
  return `${parts.join(', ')} (${e.count} samples)`;
}
