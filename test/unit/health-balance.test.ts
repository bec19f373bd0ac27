import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveBalancer } from '../../src/runtime/train/balance';
import { defaultConfig } from '../../src/runtime/config/load';
import type { StepEvent, BalanceEvent } from '../../src/runtime/events';

const step = (s: number, dFake: number): StepEvent => ({ event: 'step', step: s, dFake, dReal: 0.9, lossD: 0.2, lossG: -Math.log(dFake), ms: 1 });

test('balance "off": never skips, applies the configured instance-noise schedule, emits nothing', () => {
  const training = { ...defaultConfig().training, instanceNoise: { start: 0.2, decaySteps: 100 } };
  const b = new AdaptiveBalancer(training);
  assert.deepEqual(b.plan(0), { skipDiscriminator: false, instanceNoise: 0.2 });
  assert.ok(Math.abs(b.plan(50).instanceNoise - 0.1) < 1e-12);
  for (let s = 1; s < 100; s++) assert.deepEqual(b.observe(step(s, 0.001)), []);
  assert.equal(b.plan(200).skipDiscriminator, false);
});

test('balance "adaptive": skips D while it overpowers, raises noise, resumes when the gap closes', () => {
  const b = new AdaptiveBalancer({ ...defaultConfig().training, balance: 'adaptive' });
  const events: BalanceEvent[] = [];
  const plans: boolean[] = [];
  // D(G(z)) collapses to 0.01 for 80 steps (D overpowering), then recovers to 0.4.
  for (let s = 1; s <= 200; s++) {
    plans.push(b.plan(s).skipDiscriminator);
    events.push(...b.observe(step(s, s <= 80 ? 0.01 : 0.4)));
  }
  const actions = events.map((e) => e.action);
  assert.equal(actions[0], 'skip-discriminator');
  assert.ok(actions.includes('raise-instance-noise'));
  assert.ok(actions.includes('resume-discriminator'));
  assert.ok(actions.includes('lower-instance-noise'));
  assert.ok(events.length < 15, `${events.length} events: interventions, not one per step`);
  const skipStart = events[0].step;
  // Skipped at most 4 in a row, so D still trains once in five steps while overpowered.
  const window = plans.slice(skipStart, 80);
  assert.ok(window.filter(Boolean).length >= 0.75 * window.length);
  let run = 0;
  for (const p of window) { run = p ? run + 1 : 0; assert.ok(run <= 4); }
  const resume = events.find((e) => e.action === 'resume-discriminator')!;
  assert.ok(resume.step > 80 && resume.step < 100, `resumed at ${resume.step}`);
  assert.ok(plans.slice(resume.step + 1).every((p) => !p), 'no skips once balanced');
  assert.ok(b.plan(201).instanceNoise < 0.3 + 1e-9);
  assert.equal(b.skipped, resume.value);
});
