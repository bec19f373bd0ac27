/**
 * The health monitor replayed on metric traces RECORDED from real runs (test/fixtures/traces/, written by
 * `RECORD_TRACES=1 node --import tsx --test test/unit/health-acceptance.test.ts`): Debian's Fashion-MNIST as
 * uint8, 2,000 images, generatorFilters = discriminatorFilters = 8, batch 32, Adam 2e-4 (the default then),
 * wasm backend. And mnist-defaults-3000.jsonl: `npm run demo` (every setting at its default, builtin:mnist,
 * 3,000 steps, 2 threads), its step and samples events with 4 significant digits; that run ended with
 * classifier score 0.839, 10/10 classes and Fréchet distance 6.3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthMonitor } from '../../src/runtime/train/health';
import { defaultConfig } from '../../src/runtime/config/load';
import type { Problem } from '../../src/runtime/problem';
import type { StepEvent } from '../../src/runtime/events';

const dir = path.join(__dirname, '..', 'fixtures', 'traces');

function replay(file: string, fed: [number, number], scale: 'none' | 'auto'): Problem[] {
  const config = defaultConfig();
  config.data = { path: 'train-images-idx3-ubyte.gz', scale };
  const m = new HealthMonitor({ activation: 'tanh', outputRange: [-1, 1], fedMin: fed[0], fedMax: fed[1], scaleDescription: `data.scale "${scale}"`, config });
  const out: Problem[] = [];
  for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (e.event === 'step') out.push(...m.observeStep(e as StepEvent));
    if (e.event === 'samples' && typeof e.diversity === 'number') out.push(...m.observeSamples(e.step, e.diversity));
  }
  return out;
}

test('recorded: uint8 fed with scale "none" → overpowering within 50 steps, the data range named first', () => {
  const ps = replay('fashion-uint8-scale-none.jsonl', [0, 255], 'none');
  const alert = ps.find((p) => p.code === 'health/discriminator-overpowering');
  assert.ok(alert, 'no alert');
  assert.ok(alert.step! <= 50, `step ${alert.step}`);
  assert.match(alert.causes![0], /fed in \[0, 255\] \(data.scale "none"\).*tanh can only output \[-1, 1\]/);
  assert.equal(ps.filter((p) => p.code === 'health/discriminator-overpowering').length, 1, 'de-duplicated');
});

test('recorded: the same data with scale "auto" → no overpowering alert', { skip: !fs.existsSync(path.join(dir, 'fashion-uint8-scale-auto.jsonl')) && 'trace not recorded yet' }, () => {
  const ps = replay('fashion-uint8-scale-auto.jsonl', [-1, 1], 'auto');
  assert.deepEqual(ps.filter((p) => p.code === 'health/discriminator-overpowering').map((p) => p.step), []);
});

test('recorded: a healthy run at the default settings → no alert of any kind over 3,000 steps', () => {
  const ps = replay('mnist-defaults-3000.jsonl', [-1, 1], 'auto');
  assert.deepEqual(ps.map((p) => `${p.code}@${p.step}`), []);
});
