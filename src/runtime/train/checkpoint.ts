/**
 * Checkpoints: one folder per save, `manifest.json` + `weights.bin` (float32, little endian, concatenated).
 * Written to a temp folder and renamed, so a crash or kill mid-save never leaves a half checkpoint behind;
 * the previous one stays the newest complete one.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import type { BackendHandle, TF } from '../backend/select';
import type { DcganConfig } from '../config/types';
import type { GridImage } from '../events';
import { buildGenerator, type Generator } from '../model/generator';
import type { ModelSpec } from '../model/spec';
import { Rng } from './rng';
import { tileGrid } from './grid';
import { validateManifest } from './checkpointCheck';
import { makeFolder } from './runFolder';
import { readRegularFile } from '../data/files';

export const CHECKPOINT_FORMAT = 'dcgan-studio-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into weights.bin. */
  offset: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  step: number;
  runId: string;
  savedAt: string;
  spec: ModelSpec;
  config: DcganConfig;
  rngState: number;
  /** The data scaling the run trained with, so samples and evaluation can map back to pixels. */
  scaling: { scale: number; offset: number };
  generator: TensorEntry[];
  discriminator: TensorEntry[];
  optimizerG: TensorEntry[];
  optimizerD: TensorEntry[];
  fixedNoise: TensorEntry;
  /** The generator's weight average (training.generatorAverage > 0), which samples are drawn from. */
  generatorAverage?: TensorEntry[];
}

export interface CheckpointState {
  step: number;
  runId: string;
  spec: ModelSpec;
  config: DcganConfig;
  rngState: number;
  scaling: { scale: number; offset: number };
  generator: tfc.Variable[];
  discriminator: tfc.Variable[];
  optimizerG: tfc.Optimizer;
  optimizerD: tfc.Optimizer;
  fixedNoise: tfc.Tensor;
  generatorAverage?: tfc.Variable[];
}

export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

export async function saveCheckpoint(root: string, s: CheckpointState): Promise<string> {
  const dir = path.join(root, checkpointDirName(s.step));
  makeFolder(root);
  // A fresh temp folder (mkdir fails on anything already there, links included) and files created exclusively.
  const tmp = path.join(root, `.tmp-${checkpointDirName(s.step)}-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  fs.mkdirSync(tmp);
  const fd = fs.openSync(path.join(tmp, 'weights.bin'), 'wx');
  let manifest: CheckpointManifest;
  try {
    // Each tensor is written as soon as it is read, so at most one tensor's copy is held outside the backend
    // (all of them together, with Adam's moments and the weight average, were the run's peak RSS).
    let offset = 0;
    const add = async (name: string, t: tfc.Tensor): Promise<TensorEntry> => {
      const read = (await t.data()) as Float32Array;
      const data = read instanceof Float32Array ? read : Float32Array.from(read);
      fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const entry = { name, shape: t.shape.slice(), offset };
      offset += data.length;
      return entry;
    };
    const addAll = async (ts: { name: string; tensor: tfc.Tensor }[]) => {
      const out: TensorEntry[] = [];
      for (const t of ts) out.push(await add(t.name, t.tensor));
      return out;
    };
    const addVariables = (vs: tfc.Variable[]) => addAll(vs.map((v) => ({ name: v.name, tensor: v })));
    // getWeights() returns the optimizer's variables plus a fresh 'iter' scalar, which is ours to dispose.
    const addOptimizer = async (opt: tfc.Optimizer) => {
      const weights = await opt.getWeights();
      try {
        return await addAll(weights);
      } finally {
        for (const w of weights) if (w.name === 'iter') w.tensor.dispose();
      }
    };
    const generator = await addVariables(s.generator);
    const discriminator = await addVariables(s.discriminator);
    const optimizerG = await addOptimizer(s.optimizerG);
    const optimizerD = await addOptimizer(s.optimizerD);
    const fixedNoise = await add('fixedNoise', s.fixedNoise);
    const generatorAverage = s.generatorAverage ? await addVariables(s.generatorAverage) : undefined;
    manifest = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      step: s.step,
      runId: s.runId,
      savedAt: new Date().toISOString(),
      spec: s.spec,
      config: s.config,
      rngState: s.rngState,
      scaling: s.scaling,
      generator,
      discriminator,
      optimizerG,
      optimizerD,
      fixedNoise,
      ...(generatorAverage ? { generatorAverage } : {}),
    };
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1), { flag: 'wx' });
  // rmSync removes a link itself, never what it points at.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return dir;
}

export interface LoadedCheckpoint {
  dir: string;
  manifest: CheckpointManifest;
  /** The float32 payload; slice it with `tensorData`. */
  weights: Float32Array;
}

/** Largest manifest.json read (it lists a few dozen tensors and the config: kilobytes in practice). */
const MAX_MANIFEST_BYTES = 16 * 2 ** 20;

export function readCheckpoint(dir: string): LoadedCheckpoint {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${dir} is not a DCGAN Studio checkpoint (no manifest.json). Pass a folder like runs/<run>/checkpoints/step-000500.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(readRegularFile(manifestFile, MAX_MANIFEST_BYTES, 'It is not a DCGAN Studio manifest; use another checkpoint.')));
  } catch (err) {
    throw new Error(err instanceof SyntaxError ? `${manifestFile} is not valid JSON (${err.message}); the checkpoint is damaged, use an earlier one.` : (err as Error).message);
  }
  const weightsFile = path.join(dir, 'weights.bin');
  let buf: Uint8Array;
  try {
    buf = readRegularFile(weightsFile, 2 ** 31 - 1, 'Checkpoints that large are not supported.');
  } catch (err) {
    throw new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? `${weightsFile} is missing; the checkpoint is incomplete, use an earlier one.` : (err as Error).message);
  }
  if (buf.byteLength % 4 !== 0) throw new Error(`${weightsFile} is ${buf.byteLength} bytes, not a whole number of float32 values; the checkpoint is damaged, use an earlier one.`);
  const manifest = validateManifest(raw, manifestFile, buf.byteLength / 4, { format: CHECKPOINT_FORMAT, max: CHECKPOINT_VERSION });
  const weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { dir, manifest, weights };
}

export function tensorData(ckpt: LoadedCheckpoint, e: TensorEntry): Float32Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  if (e.offset + n > ckpt.weights.length) throw new Error(`${ckpt.dir}/weights.bin is truncated (tensor ${e.name}). The checkpoint is damaged; use an earlier one.`);
  return ckpt.weights.subarray(e.offset, e.offset + n);
}

/** Assigns saved values to variables, matched by position and checked by shape. */
export function assignVariables(tf: TF, ckpt: LoadedCheckpoint, entries: TensorEntry[], vars: tfc.Variable[], what: string): void {
  if (entries.length !== vars.length) throw new Error(`${ckpt.dir}: the ${what} has ${entries.length} tensors, but the model has ${vars.length}. Was it saved with a different model config?`);
  entries.forEach((e, i) => {
    if (e.shape.join('x') !== vars[i].shape.join('x')) throw new Error(`${ckpt.dir}: ${e.name} has shape [${e.shape}] but the model expects [${vars[i].shape}]. Was it saved with a different model config?`);
    // assign() shares the tensor's data; the tensor object itself is ours to dispose, or every load leaks it.
    const value = tf.tensor(tensorData(ckpt, e), e.shape);
    vars[i].assign(value);
    value.dispose();
  });
}

export async function restoreOptimizer(tf: TF, ckpt: LoadedCheckpoint, entries: TensorEntry[], optimizer: tfc.Optimizer): Promise<void> {
  if (entries.length === 0) return;
  const values = entries.map((e) => ({ name: e.name, tensor: tf.tensor(tensorData(ckpt, e), e.shape) }));
  // setWeights copies the values into new variables; the loaded tensors are ours to dispose.
  await optimizer.setWeights(values);
  values.forEach((v) => v.tensor.dispose());
}

/** Newest complete checkpoint under `<runDir>/checkpoints`, if any. */
export function latestCheckpoint(runDir: string): string | undefined {
  const root = path.join(runDir, 'checkpoints');
  if (!fs.existsSync(root)) return undefined;
  const steps = fs.readdirSync(root).filter((d) => /^step-\d+$/.test(d) && fs.existsSync(path.join(root, d, 'manifest.json'))).sort();
  return steps.length ? path.join(root, steps[steps.length - 1]) : undefined;
}

/**
 * The generator to sample from: the weight average when the checkpoint has one (training.generatorAverage),
 * else the trained weights. `which: 'trained'` always gives the latter.
 */
export function loadGenerator(tf: TF, ckpt: LoadedCheckpoint, which: 'sampling' | 'trained' = 'sampling'): Generator {
  const g = buildGenerator(tf, ckpt.manifest.spec, new Rng(0));
  const average = which === 'sampling' ? ckpt.manifest.generatorAverage : undefined;
  assignVariables(tf, ckpt, average ?? ckpt.manifest.generator, g.variables, average ? 'generator average' : 'generator');
  return g;
}

/**
 * Images from a checkpoint's generator, in the generator's output range, NHWC. Generated in batches of at
 * least 64 because batch norm uses batch statistics (see model/layers.ts); a batch of one would be degenerate.
 */
export async function generateImages(tf: TF, g: Generator, spec: ModelSpec, count: number, seed: number): Promise<Float32Array> {
  const chunk = Math.max(64, Math.min(count, 256));
  const per = spec.imageSize * spec.imageSize * spec.channels;
  const out = new Float32Array(count * per);
  for (let done = 0, k = 0; done < count; k++) {
    const t = tf.tidy(() => g.apply(tf.randomNormal([chunk, spec.latentDim], 0, 1, 'float32', seed + k) as tfc.Tensor2D));
    const data = (await t.data()) as Float32Array;
    t.dispose();
    const take = Math.min(chunk, count - done);
    out.set(data.subarray(0, take * per), done * per);
    done += take;
  }
  return out;
}

export async function sampleFromCheckpoint(dir: string, count: number, backend: BackendHandle, seed = 1): Promise<GridImage> {
  const tf = backend.tf;
  const ckpt = readCheckpoint(dir);
  const g = loadGenerator(tf, ckpt);
  try {
    const spec = ckpt.manifest.spec;
    const images = await generateImages(tf, g, spec, count, seed);
    const range: [number, number] = spec.outputActivation === 'tanh' ? [-1, 1] : [0, 1];
    return tileGrid(images, count, spec.imageSize, spec.channels, range);
  } finally {
    g.variables.forEach((v) => v.dispose());
  }
}

/** Keeps the newest `keep` complete checkpoints (0 keeps all): a long run would otherwise fill the disk. */
export function pruneCheckpoints(root: string, keep: number): void {
  if (keep <= 0 || !fs.existsSync(root)) return;
  const steps = fs.readdirSync(root).filter((d) => /^step-\d+$/.test(d)).sort();
  for (const d of steps.slice(0, Math.max(0, steps.length - keep))) fs.rmSync(path.join(root, d), { recursive: true, force: true });
}
