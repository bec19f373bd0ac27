/**
 * SYNTHETIC run folder for developing the webview tests before the trainer could record a real one.
 * Nothing here pretends to be a training result: values come from closed-form curves, the grids are noise.
 * The tests use test/fixtures/recorded-run/ (a real recording) whenever it exists; this is only the fallback.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import type { TrainEvent } from '../../src/runtime/events';

function png(file: string, w: number, h: number, seed: number): void {
  const img = new PNG({ width: w, height: h });
  let s = seed;
  for (let i = 0; i < w * h; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const v = (s >> 16) & 255;
    img.data.set([v, v, v, 255], 4 * i);
  }
  fs.writeFileSync(file, PNG.sync.write(img));
}

export function writeSyntheticRun(dir: string, steps = 400): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
  const runId = 'SYNTHETIC-not-a-real-run';
  const events: TrainEvent[] = [{
    event: 'start', runId, step: 0, steps, batchSize: 16, imageSize: 28, channels: 1, seed: 1, outputDir: dir,
    configFile: path.join(dir, 'dcgan.json'),
    backend: { name: 'wasm', gpu: false, reason: 'SYNTHETIC: no trainer involved', threads: 1 },
    dataset: { source: 'synthetic', format: 'none', dtype: 'uint8', count: 0, height: 28, width: 28, channels: 1, scale: 1, offset: 0 }, config: {},
  }];
  for (let step = 1; step <= steps; step++) {
    events.push({ event: 'step', step, lossD: 1.4 * Math.exp(-step / 80), lossG: 0.7 + step / 100, dReal: 1 - 0.5 * Math.exp(-step / 60), dFake: 0.5 * Math.exp(-step / 60), ms: 100 + (step % 7) });
    if (step % 50 === 0) {
      const file = path.join(dir, 'samples', `step-${String(step).padStart(6, '0')}.png`);
      png(file, 8 * 28, 8 * 28, step);
      events.push({ event: 'samples', step, file });
    }
    if (step === 120) {
      events.push({
        event: 'problem', step, code: 'health/discriminator-overpowering', severity: 'warning', message: 'SYNTHETIC alert', causes: ['cause one', 'cause two'],
        fixes: [{ title: 'One-sided label smoothing 0.9', edits: [{ path: ['training', 'labelSmoothing'], value: 0.9 }], isPreferred: true }],
      });
    }
    if (step > 150 && step % 40 === 0) events.push({ event: 'balance', step, action: 'skip-discriminator', value: step / 40, message: 'SYNTHETIC' });
  }
  events.push({ event: 'eval', step: steps, diversity: 0.3, count: 64 });
  events.push({ event: 'end', reason: 'completed', step: steps });
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ runId, configFile: path.join(dir, 'dcgan.json'), startedAt: new Date(0).toISOString(), status: 'completed' }));
  png(path.join(dir, 'samples', 'real.png'), 8 * 28, 8 * 28, 7);
  return dir;
}
