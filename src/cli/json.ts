/**
 * The --json contract: how runtime events become JSON lines. Field names follow src/runtime/events.ts;
 * only what cannot travel as text is dropped (sample grid pixels).
 */
import type { TrainEvent } from '../runtime/events';
import type { Problem } from '../runtime/problem';

/** `{"event":"problem", "step"?, "code", "severity", "message", "fixes"?, ...}`: a problem flattened into an event. */
export function problemEventJson(p: Problem, step = p.step): Record<string, unknown> {
  const { step: _ignored, ...rest } = p;
  void _ignored;
  return step === undefined ? { event: 'problem', ...rest } : { event: 'problem', step, ...rest };
}

export function eventJson(e: TrainEvent): Record<string, unknown> {
  switch (e.event) {
    case 'samples': {
      const { grid: _pixels, ...rest } = e;
      void _pixels;
      return { ...rest };
    }
    case 'problem': {
      const { event: _event, ...problem } = e;
      void _event;
      return problemEventJson(problem, e.step);
    }
    default:
      return { ...e };
  }
}
