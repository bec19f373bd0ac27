/**
 * `dcgan-studio export`: a checkpoint's generator as a TensorFlow.js graph model (model.json + weight shards), so
 * anyone can draw samples with stock TensorFlow.js and none of our code:
 *   const model = await tf.loadGraphModel('model.json');
 *   const images = model.predict(tf.randomNormal([64, model.metadata.dcganStudio.latentDim]));
 * The output is in the generator's range (metadata.outputRange). Batch norm uses the batch's own statistics, as the
 * trainer's sampling does (see generatorGraph.ts), so draw batches of many noise vectors (64, as the sample grids do):
 * one vector alone normalizes to a constant image.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCheckpoint, tensorData, type LoadedCheckpoint, type TensorEntry } from '../train/checkpoint';
import { outputRange } from '../config/types';
import { checkOutputFolders, lstatOrUndefined, userOutputRoot, writeFileAtomic } from '../outputFiles';
import { clip } from '../text';
import { generatorGraph, type GeneratorGraph } from './generatorGraph';
import { realDir, regularFileInside } from '../safeFs';

export const EXPORT_FORMAT = 'dcgan-studio-generator';
export const EXPORT_VERSION = 1;
/** The converter's default shard size; browsers fetch the shards in parallel. */
const SHARD_BYTES = 4 * 1024 * 1024;
const SHARD_FILE = /^group1-shard\d+of\d+\.bin$/;

export interface ExportOptions {
  /** Export the trained generator instead of its weight average. */
  raw?: boolean;
  /** Written into model.json's generatedBy, e.g. "dcgan-studio 0.1.0". */
  generatedBy?: string;
  /**
   * The folder whose owner chose outDir (a workspace folder; default: the current folder when outDir is below it,
   * else outDir's parent): every folder from it down to outDir must be a real folder, not a link.
   */
  outRoot?: string;
}

/** What model.json's userDefinedMetadata.dcganStudio says (tfjs exposes it as model.metadata.dcganStudio). */
export interface ExportMetadata {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** Which weights: the generator's weight average (training.generatorAverage), or the trained generator. */
  generator: 'average' | 'trained';
  runId: string;
  step: number;
  latentDim: number;
  /** [height, width, channels] of one image. */
  imageShape: [number, number, number];
  outputActivation: 'tanh' | 'sigmoid';
  /** The range of the model's output. */
  outputRange: [number, number];
  /** How an output value y becomes an 8-bit pixel. */
  pixelMapping: string;
  /** The affine map the training data was fed through: fed = raw · scale + offset. */
  dataScaling: { scale: number; offset: number };
  noise: string;
  batchNorm: string;
  input: string;
  output: string;
}

export interface ExportResult {
  outDir: string;
  modelFile: string;
  weightFiles: string[];
  format: 'graph-model';
  metadata: ExportMetadata;
  /** Why the trained generator was exported although the average was asked for, if it was. */
  note?: string;
  bytes: number;
}

export class ExportError extends Error {}

/**
 * Reads a checkpoint folder with readCheckpoint's bounds (regular files of the folder, a bounded manifest,
 * weights.bin exactly as declared); every refusal is an ExportError naming the file.
 */
export function readCheckpointSafely(checkpointDir: string): LoadedCheckpoint {
  const dir = realDir(checkpointDir);
  if (!dir) throw new ExportError(`${checkpointDir} is not a folder. Pass a checkpoint folder, runs/<run>/checkpoints/step-NNNNNN.`);
  try {
    if (!regularFileInside(dir, 'manifest.json')) throw new ExportError(`${checkpointDir} is not a DCGAN Studio checkpoint: it has no manifest.json (a regular file). Pass a folder like runs/<run>/checkpoints/step-000500.`);
    if (!regularFileInside(dir, 'weights.bin')) throw new ExportError(`${checkpointDir} has no weights.bin (a regular file); the checkpoint is incomplete. Use another checkpoint of the run.`);
    return readCheckpoint(checkpointDir);
  } catch (err) {
    throw err instanceof ExportError ? err : new ExportError((err as Error).message);
  }
}

function checkedEntries(ckpt: LoadedCheckpoint, entries: unknown, graph: GeneratorGraph, what: string): TensorEntry[] {
  const file = path.join(ckpt.dir, 'manifest.json');
  if (!Array.isArray(entries)) throw new ExportError(`${file}: the ${what} is missing. The checkpoint is damaged; use another one.`);
  if (entries.length !== graph.variableShapes.length) throw new ExportError(`${file}: the ${what} has ${entries.length} tensors, but a generator of this model spec has ${graph.variableShapes.length}. The manifest's spec does not match its weights; use another checkpoint.`);
  return entries.map((e: unknown, i) => {
    const t = e as Partial<TensorEntry>;
    const want = graph.variableShapes[i];
    const ok = typeof t === 'object' && t !== null && Array.isArray(t.shape) && t.shape.join('x') === want.join('x') && Number.isInteger(t.offset) && (t.offset as number) >= 0;
    if (!ok) throw new ExportError(`${file}: ${what} tensor ${i} (${String(t?.name)}) has shape [${String(t?.shape)}] at offset ${String(t?.offset)}; the model spec needs [${want}] at a non-negative offset. Use another checkpoint.`);
    return t as TensorEntry;
  });
}

/** Writes model.json and its weight shards into outDir (created if missing; an earlier export there is replaced). */
export async function exportGenerator(checkpointDir: string, outDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const ckpt = readCheckpointSafely(checkpointDir);
  const m = ckpt.manifest;
  const spec = m.spec;
  const graph = generatorGraph(spec);
  const wantAverage = !options.raw;
  const useAverage = wantAverage && Array.isArray(m.generatorAverage);
  const entries = checkedEntries(ckpt, useAverage ? m.generatorAverage : m.generator, graph, useAverage ? 'generator average' : 'generator');
  const note = wantAverage && !useAverage ? `${ckpt.dir} has no generator average (training.generatorAverage was 0), so the trained generator was exported.` : undefined;

  // The weight payload: every Const of the graph, in graph order, float32 or int32 little endian.
  const specs: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[] = [];
  const chunks: Uint8Array[] = [];
  for (const c of graph.consts) {
    const data = 'variable' in c ? tensorData(ckpt, entries[c.variable]) : c.dtype === 'int32' ? Int32Array.from(c.values) : Float32Array.from(c.values);
    if (data instanceof Float32Array && !data.every(Number.isFinite)) throw new ExportError(`${ckpt.dir}: ${c.name} holds NaN or Inf; the checkpoint is poisoned. Export an earlier one.`);
    specs.push({ name: c.name, shape: c.shape, dtype: c.dtype });
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const total = chunks.reduce((a, c) => a + c.byteLength, 0);
  const payload = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) (payload.set(c, at), (at += c.byteLength));
  const shards = Math.max(1, Math.ceil(total / SHARD_BYTES));
  const shardNames = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`);

  const range = outputRange(spec.outputActivation);
  const metadata: ExportMetadata = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    generator: useAverage ? 'average' : 'trained',
    runId: clip(m.runId, 200),
    step: m.step,
    latentDim: spec.latentDim,
    imageShape: [spec.imageSize, spec.imageSize, spec.channels],
    outputActivation: spec.outputActivation,
    outputRange: range,
    pixelMapping: range[0] === -1 ? 'pixel = clamp(round((y + 1) * 127.5), 0, 255)' : 'pixel = clamp(round(y * 255), 0, 255)',
    dataScaling: { scale: m.scaling.scale, offset: m.scaling.offset },
    noise: `z ~ N(0, 1), shape [N, ${spec.latentDim}], float32`,
    batchNorm: 'Batch norm normalizes with the statistics of the batch being generated, as the trainer samples. Generate many images at once (64, as the sample grids do); a batch of one gives a constant image.',
    input: graph.input,
    output: graph.output,
  };
  const imageDims = [-1, spec.imageSize, spec.imageSize, spec.channels];
  const tensorShape = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
  const modelJson = {
    format: 'graph-model',
    generatedBy: options.generatedBy ?? 'dcgan-studio',
    convertedBy: 'dcgan-studio export',
    modelTopology: { node: graph.nodes, library: {}, versions: { producer: 1 } },
    signature: {
      inputs: { z: { name: `${graph.input}:0`, dtype: 'DT_FLOAT', tensorShape: tensorShape([-1, spec.latentDim]) } },
      outputs: { images: { name: `${graph.output}:0`, dtype: 'DT_FLOAT', tensorShape: tensorShape(imageDims) } },
    },
    weightsManifest: [{ paths: shardNames, weights: specs }],
    userDefinedMetadata: { dcganStudio: metadata },
  };

  // Every folder from the chooser's root down to `out` is a real folder (no link carries the export, or the
  // deletion of an earlier export's shards below, elsewhere); then the files go through the atomic writer.
  const out = path.resolve(outDir);
  const existing = lstatOrUndefined(out);
  if (existing && !existing.isDirectory() && !existing.isSymbolicLink()) throw new ExportError(`--out ${outDir}: ${out} is not a folder.`);
  checkOutputFolders(options.outRoot ?? userOutputRoot(out), out, { create: true });
  for (const name of fs.readdirSync(out)) if (SHARD_FILE.test(name)) fs.rmSync(path.join(out, name), { force: true });
  const weightFiles = shardNames.map((name, i) => {
    const file = path.join(out, name);
    writeFileAtomic(out, file, payload.subarray(i * SHARD_BYTES, Math.min(total, (i + 1) * SHARD_BYTES)));
    return file;
  });
  const modelFile = path.join(out, 'model.json');
  const text = JSON.stringify(modelJson);
  writeFileAtomic(out, modelFile, text);
  return { outDir: out, modelFile, weightFiles, format: 'graph-model', metadata, ...(note ? { note } : {}), bytes: total + text.length };
}
