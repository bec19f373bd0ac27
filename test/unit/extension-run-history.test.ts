// A dashboard opened mid-run is drawn from this history: it must stay bounded and still end at the last step.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_STEP_POINTS, RunHistory } from '../../src/extension/runHistory';
import type { StepEvent } from '../../src/runtime/events';

const step = (s: number): StepEvent => ({ event: 'step', step: s, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 1 });

test('step metrics are decimated evenly and the last step is always kept', () => {
  const h = new RunHistory();
  const total = 50_000;
  for (let s = 1; s <= total; s++) h.add(step(s));
  h.add({ event: 'end', reason: 'completed', step: total });
  const events = h.events();
  const steps = events.filter((e) => e.event === 'step').map((e) => (e as StepEvent).step);
  assert.ok(steps.length <= MAX_STEP_POINTS + 1, `${steps.length} points kept`);
  assert.ok(steps.length >= MAX_STEP_POINTS / 4, `${steps.length} points kept: too few`);
  assert.equal(steps[0], 1);
  assert.equal(steps[steps.length - 1], total);
  // Even coverage: no gap wider than a few strides.
  const gaps = steps.slice(1).map((s, i) => s - steps[i]);
  assert.ok(Math.max(...gaps) <= 4 * (total / steps.length), `largest gap ${Math.max(...gaps)}`);
  assert.equal(events[events.length - 1].event, 'end');
});

test('samples keep their file but not their pixels; the latest grid is kept apart', () => {
  const h = new RunHistory();
  h.add({ event: 'samples', step: 10, file: '/r/samples/step-000010.png', grid: { width: 1, height: 1, channels: 1, data: new Uint8Array([7]) } });
  const s = h.events().find((e) => e.event === 'samples')!;
  assert.ok(!('grid' in s));
  assert.equal(h.latestGrid?.step, 10);
  assert.deepEqual(h.samples, [{ step: 10, file: '/r/samples/step-000010.png' }]);
});
