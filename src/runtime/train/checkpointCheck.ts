/**
 * A checkpoint folder is hostile input (it comes with a run folder from a cloned repository or a shared drive):
 * its manifest.json declares the model to build and where each tensor lies in weights.bin. Everything it
 * declares is checked here before a tensor is allocated: the spec and config against the schema, the shapes
 * against the model that spec builds (sized without building it), and every tensor against weights.bin, which
 * must hold them all, without overlaps. A schema-valid spec that weights.bin cannot back (1024 filters at
 * 128×128 is gigabytes) is refused because its parameters are not in the file.
 */
import { parseConfig } from '../config/load';
import type { DcganConfig } from '../config/types';
import { buildDiscriminator } from '../model/discriminator';
import { buildGenerator } from '../model/generator';
import { SHAPES_ONLY } from '../model/layers';
import type { ModelSpec } from '../model/spec';
import type { CheckpointManifest, TensorEntry } from './checkpoint';
import { Rng } from './rng';

const MAX_SAMPLE_COUNT = 256;
/** Adam keeps two moments per variable; tfjs adds a few scalars (the step count). */
const OPTIMIZER_SCALARS = 8;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** The model's parameter shapes for a spec, computed without allocating a tensor. */
export function parameterShapes(spec: ModelSpec): { generator: number[][]; discriminator: number[][] } {
  return {
    generator: buildGenerator(SHAPES_ONLY, spec, new Rng(0)).variables.map((v) => v.shape),
    discriminator: buildDiscriminator(SHAPES_ONLY, spec, new Rng(0)).variables.map((v) => v.shape),
  };
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Checks a parsed manifest.json against weights.bin (of `weightFloats` float32 values); returns it typed, or throws naming the key. */
export function validateManifest(raw: unknown, manifestFile: string, weightFloats: number, version: { format: string; max: number }): CheckpointManifest {
  const bad = (key: string, why: string) => new Error(`${manifestFile}: ${key} ${why} The checkpoint is damaged or was not written by DCGAN Studio; use another one.`);
  if (!isObj(raw)) throw bad('the manifest', 'is not a JSON object.');
  if (raw.format !== version.format) throw new Error(`${manifestFile}: not a DCGAN Studio checkpoint (format ${JSON.stringify(raw.format)?.slice(0, 60)}).`);
  if (!isCount(raw.version) || raw.version < 1) throw bad('version', 'is not a positive whole number.');
  if (raw.version > version.max) throw new Error(`${manifestFile}: checkpoint version ${raw.version} is newer than this DCGAN Studio understands (${version.max}); update the extension.`);
  if (!isCount(raw.step)) throw bad('step', 'is not a whole number of steps.');
  if (typeof raw.runId !== 'string' || raw.runId.length > 200) throw bad('runId', 'is not a string of at most 200 characters.');
  if (typeof raw.rngState !== 'number' || !Number.isFinite(raw.rngState)) throw bad('rngState', 'is not a number.');
  if (!isObj(raw.scaling) || !Number.isFinite(raw.scaling.scale) || !Number.isFinite(raw.scaling.offset)) throw bad('scaling', 'must be {"scale": number, "offset": number}.');

  // The spec is the config's model section with imageSize and channels resolved: the schema's ranges apply.
  if (!isObj(raw.spec)) throw bad('spec', 'is missing.');
  for (const key of ['imageSize', 'channels'] as const) if (raw.spec[key] === undefined) throw bad(`spec.${key}`, 'is missing.');
  const specCheck = parseConfig(JSON.stringify({ model: raw.spec }), manifestFile);
  if (!specCheck.config) throw bad('spec', `is not a valid model: ${specCheck.problems.map((p) => p.message.replace(/^[^:]*:\d+: /, '').replace(/\bmodel\./g, 'spec.')).join(' ')}`);
  const spec = raw.spec as unknown as ModelSpec;
  const configCheck = parseConfig(JSON.stringify(raw.config ?? null), manifestFile);
  if (!configCheck.config) throw bad('config', `is not a valid config: ${configCheck.problems.map((p) => p.message.replace(/^[^:]*:\d+: /, '')).join(' ')}`);

  const entries = (key: string, value: unknown): TensorEntry[] => {
    if (!Array.isArray(value)) throw bad(key, 'is not a list of tensors.');
    return value.map((e, i) => entry(`${key}[${i}]`, e));
  };
  const entry = (key: string, e: unknown): TensorEntry => {
    if (!isObj(e) || typeof e.name !== 'string' || !isCount(e.offset) || !Array.isArray(e.shape) || e.shape.length > 4 || !e.shape.every(isCount)) {
      throw bad(key, 'must be {"name": string, "shape": [up to 4 whole numbers], "offset": whole number}.');
    }
    const shape = e.shape as number[];
    if (e.offset + size(shape) > weightFloats) throw bad(key, `(${e.name}, shape [${shape}]) lies past the end of weights.bin, which holds ${weightFloats} values.`);
    return { name: e.name, shape, offset: e.offset };
  };
  const generator = entries('generator', raw.generator);
  const discriminator = entries('discriminator', raw.discriminator);
  const optimizerG = entries('optimizerG', raw.optimizerG);
  const optimizerD = entries('optimizerD', raw.optimizerD);
  const fixedNoise = entry('fixedNoise', raw.fixedNoise);
  const generatorAverage = raw.generatorAverage === undefined ? undefined : entries('generatorAverage', raw.generatorAverage);

  // The model the spec builds must be exactly the one whose weights the file holds.
  const expected = parameterShapes(spec);
  const params = { generator: expected.generator.reduce((n, s) => n + size(s), 0), discriminator: expected.discriminator.reduce((n, s) => n + size(s), 0) };
  if (params.generator + params.discriminator > weightFloats) {
    throw bad('spec', `describes networks of ${(params.generator + params.discriminator).toLocaleString('en-US')} parameters, but weights.bin holds only ${weightFloats.toLocaleString('en-US')} values.`);
  }
  const sameShapes = (key: string, got: TensorEntry[], want: number[][]) => {
    if (got.length !== want.length) throw bad(key, `lists ${got.length} tensors; the model its spec describes has ${want.length}.`);
    got.forEach((e, i) => { if (e.shape.join('x') !== want[i].join('x')) throw bad(`${key}[${i}]`, `has shape [${e.shape}], but the spec's model expects [${want[i]}].`); });
  };
  sameShapes('generator', generator, expected.generator);
  sameShapes('discriminator', discriminator, expected.discriminator);
  if (generatorAverage) sameShapes('generatorAverage', generatorAverage, expected.generator);
  const total = (es: TensorEntry[]) => es.reduce((n, e) => n + size(e.shape), 0);
  if (total(optimizerG) > 2 * params.generator + OPTIMIZER_SCALARS) throw bad('optimizerG', 'holds more values than Adam keeps for the generator.');
  if (total(optimizerD) > 2 * params.discriminator + OPTIMIZER_SCALARS) throw bad('optimizerD', 'holds more values than Adam keeps for the discriminator.');
  if (fixedNoise.shape.length !== 2 || fixedNoise.shape[0] > MAX_SAMPLE_COUNT || fixedNoise.shape[1] !== spec.latentDim) {
    throw bad('fixedNoise', `has shape [${fixedNoise.shape}]; it must be [sampleCount ≤ ${MAX_SAMPLE_COUNT}, latentDim ${spec.latentDim}].`);
  }

  // Tensors must not overlap: otherwise a small file could stand for many times its size of weights.
  const all = [...generator, ...discriminator, ...optimizerG, ...optimizerD, fixedNoise, ...(generatorAverage ?? [])].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < all.length; i++) {
    if (all[i].offset < all[i - 1].offset + size(all[i - 1].shape)) throw bad('the tensor list', `has ${all[i - 1].name} and ${all[i].name} overlapping in weights.bin.`);
  }
  return { ...(raw as unknown as CheckpointManifest), spec, config: raw.config as DcganConfig, generator, discriminator, optimizerG, optimizerD, fixedNoise, ...(generatorAverage ? { generatorAverage } : {}) };
}
