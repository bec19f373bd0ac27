/**
 * Training speed and time left, in one place. The trainer measures the speed as users feel it (steps per second by
 * wall clock over the last RATE_WINDOW steps, so sample grids and checkpoints count) and puts it in each step event;
 * the CLI's progress line, the status bar, the notification and the dashboard all show that number, and the time
 * left from it, formatted here. No Node imports: the webviews use this file too.
 */

/** Steps the speed is averaged over: enough to smooth a grid or a checkpoint, few enough to follow a change of load. */
export const RATE_WINDOW = 30;

/** Steps per second over a sliding window of (step, time) marks. */
export class StepRate {
  private readonly marks: { step: number; ms: number }[] = [];
  constructor(private readonly window = RATE_WINDOW) {}

  add(step: number, nowMs: number): void {
    this.marks.push({ step, ms: nowMs });
    if (this.marks.length > this.window + 1) this.marks.shift();
  }

  /** Undefined until two steps are timed. */
  get perSecond(): number | undefined {
    const first = this.marks[0];
    const last = this.marks[this.marks.length - 1];
    if (!first || first === last || last.ms <= first.ms) return undefined;
    return (last.step - first.step) / ((last.ms - first.ms) / 1000);
  }
}

/** Seconds left to reach `steps` at `itPerSecond`; undefined when the speed is unknown. */
export function etaSeconds(step: number, steps: number, itPerSecond: number | undefined): number | undefined {
  return itPerSecond && itPerSecond > 0 ? Math.max(0, steps - step) / itPerSecond : undefined;
}

/** "45s", "3m 05s", "1h 02m"; "–" when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "2.35 it/s" below 10, "12.3 it/s" above. */
export function formatRate(itPerSecond: number): string {
  return `${itPerSecond < 10 ? itPerSecond.toFixed(2) : itPerSecond.toFixed(1)} it/s`;
}
