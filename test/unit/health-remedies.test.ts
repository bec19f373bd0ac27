/**
 * Issue 4: "the remedies work". A deliberately too-strong discriminator (4× the generator's filters, 4× its
 * learning rate, no dropout) trained on the built-in MNIST, once as is and once with the remedies the health
 * monitor offers: one-sided label smoothing, discriminator dropout and adaptive balance. Same seed, same steps.
 * The remedies must keep D(G(z)) away from 0 where the baseline lets it collapse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { train } from '../../src/runtime/train/trainer';
import { selectBackend } from '../../src/runtime/backend/select';
import { defaultConfig } from '../../src/runtime/config/load';
import type { DcganConfig } from '../../src/runtime/config/types';
import type { StepEvent, TrainEvent } from '../../src/runtime/events';

const STEPS = 250;

async function run(remedies: boolean): Promise<TrainEvent[]> {
  const backend = await selectBackend('wasm', { threads: 1 });
  const config: DcganConfig = defaultConfig();
  config.data = { path: 'builtin:mnist', scale: 'auto', limit: 4000 };
  config.model.generatorFilters = 8;
  config.model.discriminatorFilters = 32;
  config.model.discriminatorDropout = 0;
  // The figures below were measured on the tutorial's 5×5 generator; with today's 4×4 default the same runs
  // measured baseline 0.014, remedies 0.129 (9×), so the lift holds and only the absolute bound would move.
  config.model.generatorKernelSize = 5;
  config.training.batchSize = 32;
  config.training.steps = STEPS;
  config.training.learningRate = { generator: 0.0002, discriminator: 0.0008 };
  if (remedies) {
    config.training.labelSmoothing = 0.1;
    config.model.discriminatorDropout = 0.5;
    config.training.balance = 'adaptive';
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-remedies-'));
  config.output = { ...config.output, dir, sampleEvery: 1000, checkpointEvery: 100_000 };
  const events: TrainEvent[] = [];
  try {
    const end = await train({ config, baseDir: dir, backend, runDir: path.join(dir, 'run'), onEvent: (e) => events.push(e) });
    assert.equal(end.reason, 'completed', end.message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return events;
}

const lastMean = (events: TrainEvent[], n: number, k: 'dFake' | 'dReal' | 'lossD') => {
  const steps = events.filter((e): e is StepEvent => e.event === 'step').slice(-n);
  return steps.reduce((s, e) => s + e[k], 0) / steps.length;
};

test('label smoothing + dropout + adaptive balance keep D(G(z)) away from 0 against a too-strong D', { timeout: 900_000 }, async () => {
  const baseline = await run(false);
  const remedied = await run(true);
  const b = lastMean(baseline, 100, 'dFake');
  const r = lastMean(remedied, 100, 'dFake');
  const skips = remedied.filter((e) => e.event === 'step' && e.dSkipped).length;
  const interventions = remedied.filter((e) => e.event === 'balance').length;
  const alerts = (ev: TrainEvent[]) => ev.filter((e) => e.event === 'problem' && e.code === 'health/discriminator-overpowering').length;
  console.log(`mean D(G(z)) over the last 100 of ${STEPS} steps: baseline ${b.toFixed(3)}, with remedies ${r.toFixed(3)} ` +
    `(D(x) ${lastMean(baseline, 100, 'dReal').toFixed(3)} vs ${lastMean(remedied, 100, 'dReal').toFixed(3)}; ` +
    `overpowering alerts ${alerts(baseline)} vs ${alerts(remedied)}; D updates skipped ${skips}, balance events ${interventions})`);
  // The run is deterministic (seeded, single-threaded wasm) for a given set of kernels; measured: baseline 0.082,
  // remedies 0.166 (2.0×) with the composed batch norm, 0.106 → 0.170 (1.6×) with the fused wasm batch-norm kernels
  // (wasm-batchnorm.ts), whose rounding differs and moves the whole trajectory.
  assert.ok(b < 0.12, `the baseline discriminator should overpower the generator (D(G(z)) ${b.toFixed(3)})`);
  assert.ok(r > 0.15, `with the remedies D(G(z)) should stay away from 0 (got ${r.toFixed(3)})`);
  assert.ok(r > 1.5 * b, `the remedies should lift D(G(z)) by half or more (${b.toFixed(3)} → ${r.toFixed(3)})`);
  assert.ok(skips > 0 && interventions > 0, 'adaptive balance intervened, and said so in the event stream');
});
