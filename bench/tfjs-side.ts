/**
 * The DCGAN Studio side of the benches, bundled by bench/run.mjs to .bench/tfjs-side.cjs and run in its own
 * process (so its peak RSS is its own) by bench/harness.ts:
 *   node .bench/tfjs-side.cjs speed   --steps N --warmup W --out DIR [--model tutorial|default|rgb32|paper64] [--backend wasm|webgpu|…]
 *   node .bench/tfjs-side.cjs quality --seconds T --out DIR
 * Trains builtin:mnist (or the synthetic RGB arrays of bench/models.ts) with the default config through the trainer API and prints one JSON object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { train } from '../src/runtime/train/trainer';
import { selectBackend, type BackendPreference } from '../src/runtime/backend/select';
import { defaultConfig } from '../src/runtime/config/load';
import { evaluateCheckpoint } from '../src/runtime/eval/evaluate';
import { generateImages, loadGenerator, readCheckpoint } from '../src/runtime/train/checkpoint';
import { tileGrid } from '../src/runtime/train/grid';
import { applyPreset, type BenchModel } from './models';
import type { StartEvent, StepEvent, TrainEvent } from '../src/runtime/events';

const [mode, ...rest] = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? Number(rest[i + 1]) : fallback;
};
const outIdx = rest.indexOf('--out');
const outDir = path.resolve(outIdx >= 0 ? rest[outIdx + 1] : '.bench/tfjs');

async function main(): Promise<void> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const backendIdx = rest.indexOf('--backend');
  const backend = await selectBackend((backendIdx >= 0 ? rest[backendIdx + 1] : 'wasm') as BackendPreference);
  const config = defaultConfig();
  const modelIdx = rest.indexOf('--model');
  // The bench's model presets (bench/models.ts): the TF tutorial's networks, the defaults, the paper's RGB ones.
  applyPreset(config, (modelIdx >= 0 ? rest[modelIdx + 1] : rest.includes('--tutorial') ? 'tutorial' : 'default') as BenchModel, path.resolve('.bench'));
  config.output.dir = outDir;
  config.output.sampleEvery = 1_000_000;
  config.output.checkpointEvery = 1_000_000;
  const steps: StepEvent[] = [];
  let start: StartEvent | undefined;
  const controller = new AbortController();
  const warmup = flag('warmup', 3);
  let cpuAtWarmup: NodeJS.CpuUsage | undefined;
  let cpuTimed: NodeJS.CpuUsage | undefined;
  const onEvent = (e: TrainEvent) => {
    if (e.event === 'step') {
      steps.push(e);
      // CPU time (all threads) of the timed steps: steadier than wall time when other processes share the CPU.
      if (e.step === warmup) cpuAtWarmup = process.cpuUsage();
      if (e.step === config.training.steps && cpuAtWarmup) cpuTimed = process.cpuUsage(cpuAtWarmup);
    }
    if (e.event === 'start') start = e;
  };
  let endEvent;
  const t0 = performance.now();
  if (mode === 'speed') {
    config.training.steps = flag('steps', 20);
    endEvent = await train({ config, baseDir: process.cwd(), backend, onEvent, runDir: path.join(outDir, 'run') });
  } else if (mode === 'quality') {
    config.training.steps = 1_000_000;
    const seconds = flag('seconds', 300);
    setTimeout(() => controller.abort(), seconds * 1000);
    endEvent = await train({ config, baseDir: process.cwd(), backend, onEvent, signal: controller.signal, runDir: path.join(outDir, 'run') });
  } else {
    throw new Error(`usage: tfjs-side.ts speed|quality [--steps N] [--seconds T] [--out DIR]; got ${JSON.stringify(mode)}`);
  }
  const wall = (performance.now() - t0) / 1000;
  if (!endEvent.checkpoint) throw new Error(`training ended (${endEvent.reason}) without a checkpoint: ${endEvent.message ?? ''}`);
  const timed = steps.slice(warmup);
  const itPerSec = timed.length / (timed.reduce((s, e) => s + e.ms, 0) / 1000);
  const result: Record<string, unknown> = {
    side: 'tfjs', backend: backend.info, mode, steps: steps.length, itPerSec,
    cpuMsPerIt: cpuTimed && timed.length ? (cpuTimed.user + cpuTimed.system) / 1000 / timed.length : undefined,
    config: start?.config, lastMetrics: steps.length ? [steps.at(-1)!.lossD, steps.at(-1)!.lossG, steps.at(-1)!.dReal, steps.at(-1)!.dFake] : undefined,
  };
  if (mode === 'speed') {
    // Same measure as the PyTorch side: forward of 64 fixed vectors + tiling to a uint8 grid, median of 10.
    const tf = backend.tf;
    const ckpt = readCheckpoint(endEvent.checkpoint);
    const g = loadGenerator(tf, ckpt);
    const spec = ckpt.manifest.spec;
    const times: number[] = [];
    for (let r = 0; r < 11; r++) {
      const t = performance.now();
      const images = await generateImages(tf, g, spec, 64, 7);
      tileGrid(images, 64, spec.imageSize, spec.channels, [-1, 1]);
      times.push(performance.now() - t);
    }
    g.variables.forEach((v) => v.dispose());
    times.shift();
    times.sort((a, b) => a - b);
    result.gridMs = times[Math.floor(times.length / 2)];
  } else {
    result.seconds = wall;
    result.itPerSec = steps.length / wall;
    result.eval = await evaluateCheckpoint(endEvent.checkpoint, backend, { count: 1000 });
  }
  result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  backend.release?.();
  console.log(JSON.stringify(result));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
