/**
 * Health detectors on SYNTHETIC metric traces (generated below, labelled as such), plus de-duplication and
 * remedies. Recorded traces from real runs are checked in health-traces.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthMonitor, remediesFor, DEFAULT_HEALTH_THRESHOLDS, type HealthContext } from '../../src/runtime/train/health';
import { defaultConfig, parseConfig, setAtPath } from '../../src/runtime/config/load';
import type { StepEvent } from '../../src/runtime/events';
import type { Problem, ProblemCode } from '../../src/runtime/problem';
import type { DcganConfig } from '../../src/runtime/config/types';

function ctx(over: Partial<HealthContext> = {}, config: DcganConfig = defaultConfig()): HealthContext {
  return { activation: 'tanh', outputRange: [-1, 1], fedMin: -1, fedMax: 1, config, ...over };
}

let seed = 3;
const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5);

/** SYNTHETIC: a balanced run hovering around D(x) 0.6, D(G(z)) 0.35. */
function balanced(step: number): StepEvent {
  const dReal = 0.6 + 0.1 * noise();
  const dFake = 0.35 + 0.1 * noise();
  return { event: 'step', step, dReal, dFake, lossD: -Math.log(dReal) - Math.log(1 - dFake), lossG: -Math.log(dFake), ms: 100, gradNormG: 1 + 0.2 * noise() };
}

/** SYNTHETIC: D wins within ~15 steps, as with [0,255] data fed to a tanh generator. */
function overpowered(step: number): StepEvent {
  const k = Math.min(1, step / 15);
  const dReal = 0.55 + 0.449 * k;
  const dFake = 0.45 - 0.449 * k;
  return { event: 'step', step, dReal, dFake, lossD: -Math.log(dReal) - Math.log(1 - dFake), lossG: -Math.log(dFake), ms: 100, gradNormG: 1 };
}

function run(monitor: HealthMonitor, steps: number, gen: (s: number) => StepEvent, from = 1): Problem[] {
  const out: Problem[] = [];
  for (let s = from; s < from + steps; s++) out.push(...monitor.observeStep(gen(s)));
  return out;
}

const codes = (ps: Problem[]) => ps.map((p) => p.code);

test('synthetic balanced trace: no alerts over 1,000 steps', () => {
  const m = new HealthMonitor(ctx());
  assert.deepEqual(codes(run(m, 1000, balanced)), []);
});

test('synthetic overpowering trace: one alert within 50 steps, data range named first with numbers', () => {
  const m = new HealthMonitor(ctx({ fedMin: 0, fedMax: 255, scaleDescription: 'data.scale "none"' }, { ...defaultConfig(), data: { path: 'x.npy', scale: 'none' } }));
  const problems = run(m, 300, overpowered);
  const alerts = problems.filter((p) => p.code === 'health/discriminator-overpowering');
  assert.equal(alerts.length, 1, 'emitted once, not every step');
  assert.ok(alerts[0].step! <= 50, `step ${alerts[0].step}`);
  assert.match(alerts[0].causes![0], /\[0, 255\].*tanh.*\[-1, 1\]/);
  assert.match(alerts[0].message, /Most likely cause: The real data is fed in \[0, 255\]/);
  assert.deepEqual(alerts[0].fixes![0].edits, [{ path: ['data', 'scale'], value: 'auto' }]);
  assert.equal(alerts[0].fixes![0].isPreferred, true);
});

test('with the data in range, the causes start from the config (wide D, fast D lr)', () => {
  const config = defaultConfig();
  config.model.generatorFilters = 64;
  config.model.discriminatorFilters = 256;
  config.training.learningRate = { generator: 0.0002, discriminator: 0.001 };
  const m = new HealthMonitor(ctx({}, config));
  const alert = run(m, 100, overpowered).find((p) => p.code === 'health/discriminator-overpowering');
  assert.ok(alert);
  assert.match(alert.causes![0], /4× as wide/);
  assert.match(alert.causes![1], /learns faster/);
  assert.ok(!alert.causes!.some((c) => c.includes('fed in')));
});

test('de-duplication: re-alerts only after recovery, or after the reminder interval', () => {
  const m = new HealthMonitor(ctx(), { recoverySteps: 50, reminderSteps: 400 });
  const count = (ps: Problem[]) => ps.filter((p) => p.code === 'health/discriminator-overpowering').length;
  assert.equal(count(run(m, 100, overpowered, 1)), 1);
  // Still overpowered up to step 450: one reminder at ≥ 400 steps after the first alert.
  assert.equal(count(run(m, 350, (s) => ({ ...overpowered(s + 100), step: s }), 101)), 1);
  // Recovers for 15 steps: with the 20-step window the state clears for about 35 steps (< recoverySteps),
  // so going back in does not re-alert.
  assert.equal(count(run(m, 15, balanced, 451)), 0);
  assert.equal(count(run(m, 60, (s) => ({ ...overpowered(s + 100), step: s }), 466)), 0);
  // Recovers for 100 steps, then overpowers again: a fresh alert.
  assert.equal(count(run(m, 100, balanced, 526)), 0);
  assert.equal(count(run(m, 60, (s) => ({ ...overpowered(s + 100), step: s }), 626)), 1);
});

test('label smoothing raises the Loss_D floor the detector expects', () => {
  // SYNTHETIC: D at its best with real targets 0.9: Loss_D ≈ H(0.9) ≈ 0.33, which is not below 0.1.
  const config = defaultConfig();
  config.training.labelSmoothing = 0.1;
  const smoothed = (s: number): StepEvent => ({ event: 'step', step: s, dReal: 0.88, dFake: 0.01, lossD: 0.34, lossG: 4.6, ms: 1 });
  assert.equal(codes(run(new HealthMonitor(ctx({}, config)), 60, smoothed)).length, 1);
  assert.equal(codes(run(new HealthMonitor(ctx()), 60, smoothed)).length, 0, 'without smoothing 0.34 is not "→ 0"');
});

test('thresholds come from config.health, then from the constructor', () => {
  const config = defaultConfig();
  config.health = { windowSteps: 5 };
  const m = new HealthMonitor(ctx({}, config));
  assert.equal(m.thresholds.windowSteps, 5);
  assert.equal(new HealthMonitor(ctx({}, config), { windowSteps: 7 }).thresholds.windowSteps, 7);
  assert.equal(new HealthMonitor(ctx()).thresholds.overpoweringLossD, DEFAULT_HEALTH_THRESHOLDS.overpoweringLossD);
});

test('non-finite losses: an error naming the value, once', () => {
  const m = new HealthMonitor(ctx());
  run(m, 30, balanced);
  const bad = (s: number): StepEvent => ({ ...balanced(s), lossD: NaN, gradNormG: Infinity });
  const ps = run(m, 5, bad, 31);
  assert.equal(ps.length, 1);
  assert.equal(ps[0].code, 'health/non-finite');
  assert.equal(ps[0].severity, 'error');
  assert.match(ps[0].message, /lossD is NaN, gradNormG is Infinity.*rolls back/);
});

test('vanishing generator gradient: fires when ‖∇G‖ collapses against its early value', () => {
  const m = new HealthMonitor(ctx());
  const fading = (s: number): StepEvent => ({ ...balanced(s), gradNormG: s < 100 ? 1 : 1e-4 });
  const ps = run(m, 200, fading).filter((p) => p.code === 'health/vanishing-generator-gradient');
  assert.equal(ps.length, 1);
  assert.ok(ps[0].step! > 100 && ps[0].step! < 125, `step ${ps[0].step}`);
  assert.match(ps[0].message, /1\.00e-4/);
});

test('mode collapse: diversity falling against its peak alerts once; a noisy start does not', () => {
  const m = new HealthMonitor(ctx());
  const series: [number, number][] = [[0, 0.9], [50, 0.2], [100, 0.45], [150, 0.5], [200, 0.48], [250, 0.12], [300, 0.1], [350, 0.09]];
  const ps = series.flatMap(([s, d]) => m.observeSamples(s, d));
  assert.deepEqual(codes(ps), ['health/mode-collapse']);
  assert.equal(ps[0].step, 250);
  assert.match(ps[0].message, /0\.12.*24% of its peak 0\.5/);
});

test('oscillation: a loss swinging without trend alerts; a steady trend does not', () => {
  const swing = (s: number): StepEvent => ({ ...balanced(s), lossG: 1.5 + 1.2 * Math.sin(s / 12) });
  assert.ok(codes(run(new HealthMonitor(ctx()), 400, swing)).includes('health/oscillation'));
  const trend = (s: number): StepEvent => ({ ...balanced(s), lossG: 0.7 + s / 200 });
  assert.ok(!codes(run(new HealthMonitor(ctx()), 400, trend)).includes('health/oscillation'));
});

test('every remedy edits real config keys: the edited config validates', () => {
  const worst = defaultConfig();
  worst.data.scale = 'none';
  worst.training.beta1 = 0.9;
  worst.model.leakyReluAlpha = 0;
  worst.model.discriminatorDropout = 0;
  const all: ProblemCode[] = ['health/discriminator-overpowering', 'health/vanishing-generator-gradient', 'health/mode-collapse', 'health/non-finite', 'health/oscillation'];
  const data = { fedMin: 0, fedMax: 255, outputRange: [-1, 1] as [number, number] };
  let seen = 0;
  const keys = new Set<string>();
  for (const code of all) {
    const fixes = remediesFor(code, worst, data);
    assert.ok(fixes.length > 0, code);
    for (const fix of fixes) {
      const edited = structuredClone(worst) as unknown as Record<string, unknown>;
      for (const e of fix.edits) { setAtPath(edited, e.path, e.value); keys.add(e.path.join('.')); }
      const loaded = parseConfig(JSON.stringify(edited), 'dcgan.json');
      assert.deepEqual(loaded.problems, [], `${code}: "${fix.title}" gives an invalid config`);
      seen++;
    }
  }
  assert.ok(seen >= 15);
  for (const k of ['data.scale', 'training.labelSmoothing', 'model.discriminatorDropout', 'model.leakyReluAlpha', 'training.generatorStepsPerDiscriminatorStep', 'training.learningRate', 'training.beta1', 'training.instanceNoise', 'training.balance', 'training.labelNoise']) assert.ok(keys.has(k), `no remedy edits ${k}`);
});

test('remedies adapt to current values: nothing already applied is offered again', () => {
  const tuned = defaultConfig();
  tuned.training.labelSmoothing = 0.1;
  tuned.training.balance = 'adaptive';
  tuned.model.discriminatorDropout = 0.6;
  const titles = remediesFor('health/discriminator-overpowering', tuned).map((f) => f.title).join('\n');
  assert.doesNotMatch(titles, /label smoothing|adaptive balance|dropout/i);
  assert.match(titles, /Two time-scale/);
});
