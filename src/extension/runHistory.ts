/**
 * What a view needs to redraw a run from scratch (a dashboard opened mid-run, or revived after a reload):
 * every rare event, and the step metrics decimated so that a long run stays bounded in memory and in the
 * size of the `init` message. Grid pixels are not kept here (the views ask for a grid by step).
 */
import type { GridImage, SamplesEvent, StartEvent, StepEvent, TrainEvent } from '../runtime/events';

/** At most this many step events are kept; beyond it every other one is dropped and the stride doubles. */
export const MAX_STEP_POINTS = 2000;

export class RunHistory {
  private steps: StepEvent[] = [];
  /** Keep one step event in `stride`: doubles each time the buffer fills, so coverage stays even over the run. */
  private stride = 1;
  private seen = 0;
  private readonly others: TrainEvent[] = [];
  start: StartEvent | undefined;
  lastStep: StepEvent | undefined;
  latestGrid: { step: number; grid: GridImage } | undefined;
  readonly samples: { step: number; file: string }[] = [];

  add(event: TrainEvent): void {
    switch (event.event) {
      case 'step':
        this.lastStep = event;
        if (this.seen++ % this.stride === 0) this.steps.push(event);
        if (this.steps.length >= MAX_STEP_POINTS) {
          this.steps = this.steps.filter((_, i) => i % 2 === 0);
          this.stride *= 2;
        }
        return;
      case 'start':
        this.start = event;
        this.others.push(event);
        return;
      case 'samples': {
        if (event.grid) this.latestGrid = { step: event.step, grid: event.grid };
        this.samples.push({ step: event.step, file: event.file });
        const { grid: _pixels, ...withoutPixels } = event;
        this.others.push(withoutPixels as SamplesEvent);
        return;
      }
      default:
        this.others.push(event);
    }
  }

  /** All kept events in step order, the last step always included (the chart ends where training is). */
  events(): TrainEvent[] {
    const steps = this.lastStep && this.steps[this.steps.length - 1] !== this.lastStep ? [...this.steps, this.lastStep] : this.steps;
    const all: TrainEvent[] = [...this.others, ...steps];
    // start first, then by step; stable for same-step events (the sort keeps insertion order).
    const stepOf = (e: TrainEvent) =>
      e.event === 'start' ? -1 : e.event === 'end' ? e.step + 0.5 : typeof e.step === 'number' ? e.step : Number.MAX_SAFE_INTEGER;
    return all.sort((a, b) => stepOf(a) - stepOf(b));
  }
}
