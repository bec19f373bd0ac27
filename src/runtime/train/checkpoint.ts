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
import { checkOutputFolders, writeFileAtomic } from '../outputFiles';
import { openRegularFile, readBounded, readInto, realDir, regularFileInside, UnsafeFileError } from '../safeFs';
import { listCheckpoints } from '../runs/list';

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
  // `root` is <run>/checkpoints: the run folder was checked from its own root when the run started.
  checkOutputFolders(path.dirname(root), root, { create: true });
  // A fresh temp folder with a random name (mkdir fails on anything already there, links included), files created exclusively.
  const tmp = path.join(root, `.tmp-${checkpointDirName(s.step)}-${crypto.randomBytes(8).toString('hex')}`);
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
  writeFileAtomic(tmp, path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
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
/** Largest weights.bin read (the one allocation a checkpoint makes, at its declared size). */
const MAX_WEIGHTS_BYTES = 2 ** 31 - 4;

/**
 * Reads a checkpoint folder, which may come from anywhere: manifest.json and weights.bin must be regular files of
 * the folder (no link out), the manifest is bounded and validated (checkpointCheck.ts) before anything is
 * allocated, and weights.bin must be exactly the tensors it declares (the saver writes nothing else): a file padded
 * past them is refused before it is read. The weights are read once, straight into the array tensorData slices.
 */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  const real = realDir(dir);
  const manifestFile = path.join(dir, 'manifest.json');
  const weightsFile = path.join(dir, 'weights.bin');
  const refused = (err: unknown) => (err instanceof UnsafeFileError ? new Error(`${err.message} The checkpoint is damaged or was not written by DCGAN Studio; use another one.`) : err);
  let manifestBytes: Buffer | undefined;
  try {
    manifestBytes = real ? readBounded(real, 'manifest.json', MAX_MANIFEST_BYTES) : undefined;
  } catch (err) {
    throw refused(err);
  }
  if (!manifestBytes) throw new Error(`${dir} is not a DCGAN Studio checkpoint (no manifest.json). Pass a folder like runs/<run>/checkpoints/step-000500.`);
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch (err) {
    throw new Error(`${manifestFile} is not valid JSON (${(err as Error).message}); the checkpoint is damaged, use an earlier one.`);
  }
  let fd: number;
  let size: number;
  try {
    const found = regularFileInside(real!, 'weights.bin');
    if (!found) throw new Error(`${weightsFile} is missing; the checkpoint is incomplete, use an earlier one.`);
    ({ fd, size } = openRegularFile(found.file));
  } catch (err) {
    throw refused(err);
  }
  try {
    if (size % 4 !== 0) throw new Error(`${weightsFile} is ${size} bytes, not a whole number of float32 values; the checkpoint is damaged, use an earlier one.`);
    if (size > MAX_WEIGHTS_BYTES) throw new Error(`${weightsFile} is ${size} bytes; checkpoints that large are not supported.`);
    const manifest = validateManifest(raw, manifestFile, size / 4, { format: CHECKPOINT_FORMAT, max: CHECKPOINT_VERSION });
    const declared = declaredFloats(manifest);
    if (declared * 4 !== size) {
      throw new Error(`${weightsFile} is ${size.toLocaleString('en-US')} bytes, but ${manifestFile} declares ${(declared * 4).toLocaleString('en-US')} bytes of tensors, and DCGAN Studio writes exactly those. The checkpoint is damaged or was not written by DCGAN Studio; it was not read. Use another one.`);
    }
    const weights = new Float32Array(declared);
    if (readInto(fd, new Uint8Array(weights.buffer), 0) !== size) throw new Error(`${weightsFile} shrank while it was read; use another checkpoint.`);
    return { dir, manifest, weights };
  } finally {
    fs.closeSync(fd);
  }
}

/** Values of every tensor the manifest lists (validateManifest has checked they do not overlap). */
function declaredFloats(m: CheckpointManifest): number {
  const all = [...m.generator, ...m.discriminator, ...m.optimizerG, ...m.optimizerD, m.fixedNoise, ...(m.generatorAverage ?? [])];
  return all.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
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

/** Keeps the newest `keep` complete checkpoints of `<run>/checkpoints` (0 keeps all): a long run would otherwise fill the disk. */
export function pruneCheckpoints(root: string, keep: number): void {
  if (keep <= 0) return;
  const all = listCheckpoints(path.dirname(root));
  // rmSync removes a link itself, never what it points at (listCheckpoints lists no link out of the run anyway).
  for (const c of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(c.dir, { recursive: true, force: true });
}
