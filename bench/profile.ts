/**
 * Per-kernel time of training steps on the embedded wasm backend, through the real trainer:
 *   node bench/profile.mjs [--model tutorial|default|rgb32|paper64|all] [--steps N] [--warmup W] [--threads T] [--json FILE]
 *   node bench/profile.mjs --backend webgpu [--model …] [--steps N] [--warmup W]
 *
 * --threads 1 gives the steadiest CPU figures on a shared machine (no thread pool waiting on a descheduled peer).
 *
 * Every kernel registered for wasm is wrapped with a timer (the wasm backend is synchronous, so wall time around
 * a kernel is its cost). Kernels that call other kernels (wasm-kernels.ts) are charged in full to the outer one
 * and their inner calls are listed beneath it as "outer > inner". "outside kernels" is step time minus kernel
 * time: the tape, tidy, Adam's bookkeeping, JS. Prints ms per step, averaged over the steps after the warm-up.
 *
 * --backend webgpu: kernels only queue GPU work, so wall time around one says nothing. The device is made with
 * timestamp-query and tf.profile reads each kernel's GPU time from timestamps written around its compute pass
 * (on a software adapter such as SwiftShader that is the CPU time the adapter spent). The warm-up steps run
 * first, unprofiled, so that shader compilation (cached per backend) is not counted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tfCore from '@tensorflow/tfjs-core';
import { train } from '../src/runtime/train/trainer';
import { selectBackend } from '../src/runtime/backend/select';
import { defaultConfig } from '../src/runtime/config/load';
import { BENCH_MODELS, PRESETS, applyPreset, type BenchModel } from './models';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = path.resolve(__dirname, '..');
const benchDir = path.join(root, '.bench');

interface Entry { ms: number; cpuMs: number; calls: number }
const table = new Map<string, Entry>();
let recording = false;
let depth = 0;
const stack: string[] = [];

function charge(key: string, ms: number, cpuMs: number): void {
  const e = table.get(key) ?? { ms: 0, cpuMs: 0, calls: 0 };
  e.ms += ms;
  e.cpuMs += cpuMs;
  e.calls++;
  table.set(key, e);
}

function shapeKey(inputs: Record<string, tfCore.TensorInfo>): string {
  return Object.values(inputs).filter(Boolean).map((t) => `[${t.shape.join(',')}]`).join(' ');
}

function wrapKernels(): void {
  for (const k of tfCore.getKernelsForBackend('wasm')) {
    const inner = k.kernelFunc;
    tfCore.unregisterKernel(k.kernelName, 'wasm');
    tfCore.registerKernel({
      ...k,
      kernelFunc: (a) => {
        if (!recording) return inner(a);
        const outer = depth === 0;
        const name = outer ? k.kernelName : `${stack[0]} > ${k.kernelName}`;
        if (outer) stack[0] = k.kernelName;
        depth++;
        const t = performance.now();
        const c = process.cpuUsage();
        try {
          return inner(a);
        } finally {
          const ms = performance.now() - t;
          const used = process.cpuUsage(c);
          const cpuMs = (used.user + used.system) / 1000;
          depth--;
          charge(name, ms, cpuMs);
          if (outer) charge(`  ${k.kernelName} ${shapeKey(a.inputs as Record<string, tfCore.TensorInfo>)}`, ms, cpuMs);
        }
      },
    });
  }
}

async function profile(model: BenchModel, steps: number, warmup: number) {
  const backend = await selectBackend('wasm', { threads: Number(opt('threads', '0')) });
  const config = applyPreset(defaultConfig(), model, benchDir);
  const out = path.join(benchDir, `profile-${model}`);
  fs.rmSync(out, { recursive: true, force: true });
  config.output.dir = out;
  config.output.sampleEvery = 1_000_000;
  config.output.checkpointEvery = 1_000_000;
  config.training.steps = warmup + steps;
  table.clear();
  let stepMs = 0;
  let stepCpuMs = 0;
  let cpu0 = process.cpuUsage();
  await train({
    config, baseDir: root, backend, runDir: path.join(out, 'run'),
    onEvent: (e) => {
      if (e.event !== 'step') return;
      if (recording) {
        stepMs += e.ms;
        const used = process.cpuUsage(cpu0);
        stepCpuMs += (used.user + used.system) / 1000;
      }
      recording = e.step >= warmup && e.step < warmup + steps;
      cpu0 = process.cpuUsage();
    },
  });
  recording = false;
  fs.rmSync(out, { recursive: true, force: true });
  const rows = [...table.entries()].map(([k, e]) => ({ kernel: k, msPerStep: e.ms / steps, cpuMsPerStep: e.cpuMs / steps, callsPerStep: e.calls / steps }));
  const top = rows.filter((r) => !r.kernel.startsWith(' ') && !r.kernel.includes(' > '));
  const kernelMs = top.reduce((s, r) => s + r.msPerStep, 0);
  const kernelCpuMs = top.reduce((s, r) => s + r.cpuMsPerStep, 0);
  return { model, threads: backend.info.threads, steps, stepMs: stepMs / steps, stepCpuMs: stepCpuMs / steps, kernelMs, kernelCpuMs, rows };
}

function print(p: Awaited<ReturnType<typeof profile>>): void {
  console.log(`\n${PRESETS[p.model].label}: ${p.stepMs.toFixed(0)} ms wall, ${p.stepCpuMs.toFixed(0)} ms CPU (all threads) per step (${(1000 / p.stepMs).toFixed(3)} it/s), wasm ${p.threads} thread(s), mean of ${p.steps} steps`);
  console.log(`${'kernel'.padEnd(48)} ${'wall'.padStart(8)}    ${'share'.padStart(5)}  ${'CPU'.padStart(8)}    ${'share'.padStart(5)}  calls/step`);
  const top = p.rows.filter((r) => !r.kernel.startsWith(' ')).sort((a, b) => b.cpuMsPerStep - a.cpuMsPerStep);
  const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(1).padStart(5)}%`;
  const line = (name: string, ms: number, cpu: number, calls?: number) =>
    console.log(`${name.padEnd(48)} ${ms.toFixed(1).padStart(8)} ms ${pct(ms, p.stepMs)}  ${cpu.toFixed(1).padStart(8)} ms ${pct(cpu, p.stepCpuMs)}${calls === undefined ? '' : `  ${calls.toFixed(0).padStart(4)}`}`);
  for (const r of top) if (r.cpuMsPerStep >= 0.5 || !r.kernel.includes(' > ')) line(r.kernel.includes(' > ') ? `  ${r.kernel}` : r.kernel, r.msPerStep, r.cpuMsPerStep, r.callsPerStep);
  line('outside kernels (tape, tidy, JS)', p.stepMs - p.kernelMs, p.stepCpuMs - p.kernelCpuMs);
  console.log('heaviest kernel calls by shape (CPU ms per step):');
  const shapes = p.rows.filter((r) => r.kernel.startsWith(' ')).sort((a, b) => b.cpuMsPerStep - a.cpuMsPerStep).slice(0, 12);
  for (const r of shapes) console.log(`${r.kernel.slice(0, 90).padEnd(92)} ${r.cpuMsPerStep.toFixed(1).padStart(7)} ms`);
}

async function profileWebgpu(model: BenchModel, steps: number, warmup: number): Promise<void> {
  const backend = await selectBackend('webgpu', { timestampQuery: true });
  console.log(`\n${PRESETS[model].label} on webgpu (${backend.info.reason})`);
  const config = applyPreset(defaultConfig(), model, benchDir);
  const out = path.join(benchDir, `profile-webgpu-${model}`);
  fs.rmSync(out, { recursive: true, force: true });
  Object.assign(config.output, { dir: out, sampleEvery: 1_000_000, checkpointEvery: 1_000_000 });
  const run = async (n: number, dir: string) => {
    const ms: number[] = [];
    config.training.steps = n;
    await train({ config, baseDir: root, backend, runDir: path.join(out, dir), onEvent: (e) => { if (e.event === 'step') ms.push(e.ms); } });
    return ms;
  };
  const warm = await run(warmup, 'warmup');
  console.log(`warm-up step ms (shaders compiled here): ${warm.map((m) => m.toFixed(0)).join(', ')}`);
  let stepMs: number[] = [];
  const info = await tfCore.profile(async () => { stepMs = await run(steps, 'profiled'); });
  backend.release?.();
  fs.rmSync(out, { recursive: true, force: true });
  const byKernel = new Map<string, Entry>();
  const byShape = new Map<string, Entry>();
  for (const k of info.kernels) {
    const t = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    for (const [map, key] of [[byKernel, k.name], [byShape, `${k.name} ${k.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}`]] as const) {
      const e = map.get(key) ?? { ms: 0, cpuMs: 0, calls: 0 };
      e.ms += t;
      e.calls++;
      map.set(key, e);
    }
  }
  const wall = stepMs.reduce((a, b) => a + b, 0) / steps;
  const gpu = [...byKernel.values()].reduce((a, e) => a + e.ms, 0) / steps;
  console.log(`profiled step ms: ${stepMs.map((m) => m.toFixed(0)).join(', ')}; GPU time in kernels ${gpu.toFixed(0)} ms per step of ${wall.toFixed(0)} ms wall`);
  console.log(`${'kernel'.padEnd(48)} ${'GPU ms/step'.padStart(12)}  share  calls/step`);
  for (const [k, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    if (e.ms / steps < 0.5 && e.ms / steps < gpu * 0.005) continue;
    console.log(`${k.padEnd(48)} ${(e.ms / steps).toFixed(1).padStart(12)} ${((100 * e.ms) / (gpu * steps)).toFixed(1).padStart(5)}%  ${(e.calls / steps).toFixed(0).padStart(4)}`);
  }
  console.log('heaviest kernel calls by input shapes (GPU ms per step):');
  for (const [k, e] of [...byShape.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`  ${k.slice(0, 100).padEnd(102)} ${(e.ms / steps).toFixed(1).padStart(8)}`);
}

async function main(): Promise<void> {
  const which = opt('model', 'all');
  if (opt('backend', 'wasm') === 'webgpu') {
    for (const m of which === 'all' ? BENCH_MODELS : (which.split(',') as BenchModel[])) await profileWebgpu(m, Number(opt('steps', '2')), Number(opt('warmup', '1')));
    return;
  }
  const models = which === 'all' ? BENCH_MODELS.filter((m) => m !== 'default') : (which.split(',') as BenchModel[]);
  for (const m of models) if (!PRESETS[m]) throw new Error(`--model ${m}: use one of ${BENCH_MODELS.join(', ')} or all`);
  await selectBackend('wasm', { threads: Number(opt('threads', '0')) });
  wrapKernels();
  const results = [];
  for (const m of models) {
    const p = await profile(m, Number(opt('steps', '3')), Number(opt('warmup', '2')));
    print(p);
    results.push(p);
  }
  const json = opt('json', '');
  if (json) fs.writeFileSync(json, JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
