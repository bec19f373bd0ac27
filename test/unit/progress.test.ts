// Speed and time left, measured once (by the trainer, runtime/progress.ts) and shown the same way by the CLI's
// progress line, the status bar/notification (extension/session.ts) and the dashboard. Before, the session averaged
// the last 20 events' arrival times and the dashboard the last 50 steps' own durations (without grids and
// checkpoints), each with its own formatDuration, so the notification and the dashboard could disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepRate, etaSeconds, formatDuration, formatRate } from '../../src/runtime/progress';
import { RunModel } from '../../webview/dashboard/model';
import { Progress } from '../../src/cli/output';
import { selectBackend } from '../../src/runtime/backend/select';
import { train } from '../../src/runtime/train/trainer';
import { defaultConfig } from '../../src/runtime/config/load';
import type { StepEvent, TrainEvent } from '../../src/runtime/events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

test('StepRate: steps per second over a sliding window of marks', () => {
  const r = new StepRate(3);
  assert.equal(r.perSecond, undefined);
  r.add(1, 0);
  assert.equal(r.perSecond, undefined, 'one mark is no speed');
  r.add(2, 500);
  assert.equal(r.perSecond, 2);
  r.add(3, 1000);
  r.add(4, 1500);
  r.add(5, 4500); // a checkpoint: 3 s for one step
  // The window holds the last 4 marks (3 intervals): steps 2→5 in 4 s.
  assert.equal(r.perSecond, 0.75);
});

test('formatDuration and etaSeconds', () => {
  assert.equal(formatDuration(45.4), '45s');
  assert.equal(formatDuration(185), '3m 05s');
  assert.equal(formatDuration(3720), '1h 02m');
  assert.equal(formatDuration(undefined), '–');
  assert.equal(formatDuration(-1), '–');
  assert.equal(etaSeconds(10, 100, 2.5), 36);
  assert.equal(etaSeconds(10, 100, undefined), undefined);
  assert.equal(formatRate(2.5), '2.50 it/s');
  assert.equal(formatRate(12.34), '12.3 it/s');
});

test('the dashboard and the CLI show the same speed and time left for the same events', () => {
  const steps: StepEvent[] = [1, 2, 3, 10].map((s) => ({ event: 'step', step: s, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 900, ...(s > 1 ? { itPerSecond: 2.5 } : {}) }));
  const model = new RunModel();
  model.reset({ runId: 'r', runDir: '/r', status: 'running', live: true, steps: 100 });
  for (const e of steps) model.apply(e);
  assert.match(model.statusText(), /step 10 \/ 100 · 2\.50 it\/s · ETA 36s$/);
  let text = '';
  const p = new Progress({ write: (t: string) => (text += t), isTTY: true, columns: 200 }, 100, 10, () => 1e6);
  for (const e of steps) p.step(e);
  p.print('');
  assert.match(text.split('\r\x1b[2K').at(-1)!, /2\.50 it\/s ETA 36s/);
});

test('the trainer puts its wall-clock speed in every step event after the first', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-progress-'));
  try {
    const backend = await selectBackend('wasm', { threads: 1 });
    const config = defaultConfig();
    Object.assign(config.data, { limit: 16 });
    Object.assign(config.model, { latentDim: 4, generatorFilters: 1, discriminatorFilters: 1 });
    Object.assign(config.training, { batchSize: 8, steps: 6 });
    Object.assign(config.output, { dir: 'runs', sampleEvery: 100, checkpointEvery: 100 });
    const events: { e: TrainEvent; at: number }[] = [];
    const end = await train({ config, baseDir: dir, backend, onEvent: (e) => events.push({ e, at: performance.now() }) });
    assert.equal(end.reason, 'completed');
    const stepEvents = events.filter((x): x is { e: StepEvent; at: number } => x.e.event === 'step');
    assert.equal(stepEvents[0].e.itPerSecond, undefined, 'one step timed is no speed');
    for (const { e } of stepEvents.slice(1)) assert.ok(e.itPerSecond! > 0, `step ${e.step}: ${e.itPerSecond}`);
    // Against the arrival times the test saw: the same steps over the same span, within rounding and jitter.
    const first = stepEvents[0], last = stepEvents[stepEvents.length - 1];
    const seen = (last.e.step - first.e.step) / ((last.at - first.at) / 1000);
    assert.ok(Math.abs(last.e.itPerSecond! - seen) / seen < 0.25, `trainer ${last.e.itPerSecond} it/s vs ${seen.toFixed(2)} seen`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
