/**
 * Dataset lint: turns statistics and the chosen scaling into Problems before step 1. The range check comes
 * first because data outside the generator's output range is the most common reason a DCGAN never learns:
 * the discriminator tells real from fake by range alone, wins at once, and the generator gets no signal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfig, resolveDataPath } from '../config/load';
import { outputRange, type DataScale, type DcganConfig } from '../config/types';
import type { DatasetSummary } from '../events';
import type { ConfigPath, Fix, Problem } from '../problem';
import { openDataset } from './dataset';
import { defaultCacheDir } from './imageFolder';
import { statsSample } from './sampler';
import { isInside } from '../outputFiles';
import { resolveScaling, type Scaling } from './scale';
import { computeStats, type DatasetStats } from './stats';
import { DatasetError, SUPPORTED_IMAGE_SIZES, type Dataset, type DatasetFormat } from './types';
import { isSupportedImageSize } from '../model/spec';
import { modelProblems } from '../model/lint';

export interface LintOptions {
  activation: 'tanh' | 'sigmoid';
  batchSize: number;
  /** model.channels, when the config sets it. */
  channels?: number;
  /** model.imageSize, when the config sets it. */
  imageSize?: number;
  /** The dataset (file, folder or builtin:mnist), named in messages. */
  file?: string;
  /** The config file; problems are attached to it so the editor can place them on data.path. */
  configFile?: string;
  /** Image folders are resized to any size; arrays are not, so their size must be one the model supports. */
  format?: DatasetFormat;
}

/** Fraction of the output range below which data counts as using "only part" of it. */
const PARTIAL_RANGE_FRACTION = 0.6;

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(3)));
}

function range(lo: number, hi: number): string {
  return `[${fmt(lo)}, ${fmt(hi)}]`;
}

/** A [lo, hi] that contains the data, rounded outward to 3 decimals so the fix reads well and still covers it. */
function enclosing(min: number, max: number): [number, number] {
  return [Math.floor(min * 1000) / 1000, Math.ceil(max * 1000) / 1000];
}

function scaleFix(title: string, value: DataScale, isPreferred = false): Fix {
  return { title, edits: [{ path: ['data', 'scale'], value }], isPreferred };
}

function largestPowerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

export function lintDataset(stats: DatasetStats, scaling: Scaling, opts: LintOptions): Problem[] {
  const problems: Problem[] = [];
  const what = opts.file ?? 'The dataset';
  const file = opts.configFile ?? opts.file;
  const add = (p: Omit<Problem, 'file' | 'location'> & { path?: ConfigPath }) => {
    const { path: keyPath, ...rest } = p;
    problems.push({ ...rest, file, location: { path: keyPath ?? ['data', 'path'] } });
  };

  if (stats.count === 0) {
    add({ code: 'data/empty', severity: 'error', message: `${what} holds no images. Point data.path at a dataset with at least one batch of images.` });
    return problems;
  }

  const [, height, width, dataChannels] = stats.shape;
  if (opts.format !== 'images') {
    if (height !== width) {
      add({ code: 'config/shape-mismatch', severity: 'error', message: `${what} holds ${height}×${width} images, but the models are square (${SUPPORTED_IMAGE_SIZES.join(', ')}). Crop or pad the array to a square size, or save the images as a PNG/JPEG folder, which is resized and center-cropped automatically.` });
    } else if (opts.imageSize !== undefined && opts.imageSize !== height) {
      const fixes: Fix[] = isSupportedImageSize(height) ? [{ title: `Set model.imageSize to ${height}`, edits: [{ path: ['model', 'imageSize'], value: height }], isPreferred: true }] : [];
      add({ code: 'config/shape-mismatch', severity: 'error', path: ['model', 'imageSize'], fixes, message: `model.imageSize is ${opts.imageSize}, but ${what} holds ${height}×${width} images and arrays are not resized. ${fixes.length ? `Set model.imageSize to ${height}.` : `Resize the array to one of ${SUPPORTED_IMAGE_SIZES.join(', ')}, or save it as an image folder.`}` });
    } else if (opts.imageSize === undefined && !isSupportedImageSize(height)) {
      add({ code: 'config/shape-mismatch', severity: 'error', message: `${what} holds ${height}×${width} images; the models support ${SUPPORTED_IMAGE_SIZES.join(', ')} pixels square and arrays are not resized. Resize the array to one of these sizes, or save the images as a PNG/JPEG folder, which is resized automatically.` });
    }
    if (opts.channels !== undefined && opts.channels !== dataChannels) {
      add({
        code: 'data/channel-mismatch', severity: 'error', path: ['model', 'channels'],
        fixes: [{ title: `Set model.channels to ${dataChannels}`, edits: [{ path: ['model', 'channels'], value: dataChannels }], isPreferred: true }],
        message: `model.channels is ${opts.channels}, but ${what} has ${dataChannels} channel${dataChannels === 1 ? '' : 's'} (${dataChannels === 1 ? 'grayscale' : 'RGB'}). Set model.channels to ${dataChannels}, or remove it to infer it from the data.`,
      });
    }
  }

  if (stats.nanCount + stats.infCount > 0) {
    const parts = [stats.nanCount ? `${stats.nanCount.toLocaleString('en-US')} NaN` : '', stats.infCount ? `${stats.infCount.toLocaleString('en-US')} infinite` : ''].filter(Boolean).join(' and ');
    add({ code: 'data/non-finite', severity: 'error', message: `${what} contains ${parts} value${stats.nanCount + stats.infCount === 1 ? '' : 's'}. One of them in a batch turns both losses into NaN and ruins the weights. Replace them before training (e.g. np.nan_to_num(x)).` });
  }

  if (stats.constantImages.count > 0) {
    const first = stats.constantImages.first.slice(0, 5).map((i) => `#${i}`).join(', ');
    const of = stats.sampled ? `the ${stats.sampled.count.toLocaleString('en-US')} images sampled from the ${stats.count.toLocaleString('en-US')}` : `${stats.count.toLocaleString('en-US')} images`;
    add({ code: 'data/constant-images', severity: 'warning', message: `${stats.constantImages.count.toLocaleString('en-US')} of ${of} in ${what} are a single flat value (first: ${first}). Blank frames teach the generator to output blanks; remove them if they are export errors.` });
  }

  if (stats.count < opts.batchSize) {
    const smaller = largestPowerOfTwoAtMost(stats.count);
    add({
      code: 'data/too-few-images', severity: 'error', path: ['training', 'batchSize'],
      fixes: [{ title: `Set training.batchSize to ${smaller}`, edits: [{ path: ['training', 'batchSize'], value: smaller }], isPreferred: true }],
      message: `${what} holds ${stats.count} image${stats.count === 1 ? '' : 's'}, fewer than one batch (training.batchSize ${opts.batchSize}). Lower training.batchSize to ${smaller} or add images; a GAN needs thousands to learn much.`,
    });
  }

  problems.push(...lintRange(stats, scaling, opts, what, file));
  return problems;
}

function lintRange(stats: DatasetStats, scaling: Scaling, opts: LintOptions, what: string, file: string | undefined): Problem[] {
  const { min, max } = stats;
  if (!(Number.isFinite(min) && Number.isFinite(max))) return [];
  const out = outputRange(opts.activation);
  const width = out[1] - out[0];
  const eps = 1e-3 * width;
  const a = min * scaling.scale + scaling.offset;
  const b = max * scaling.scale + scaling.offset;
  const fedLo = Math.min(a, b);
  const fedHi = Math.max(a, b);
  const where = { file, location: { path: ['data', 'path'] as ConfigPath } };
  const outText = range(out[0], out[1]);
  const raw = `${range(min, max)} (${stats.dtype})`;
  const fedAs = scaling.mode === 'none' ? 'fed as stored' : `fed as ${range(fedLo, fedHi)} after data.scale (${scaling.description})`;
  const autoScaling = resolveScaling('auto', stats, opts.activation);
  const autoLo = Math.min(min * autoScaling.scale + autoScaling.offset, max * autoScaling.scale + autoScaling.offset);
  const autoHi = Math.max(min * autoScaling.scale + autoScaling.offset, max * autoScaling.scale + autoScaling.offset);
  const autoFits = autoLo >= out[0] - eps && autoHi <= out[1] + eps;
  const eightBit = stats.looks8Bit && max > 1;
  const explicitFrom: [number, number] = eightBit ? [0, 255] : enclosing(min, max);

  if (fedLo < out[0] - eps || fedHi > out[1] + eps) {
    const fixes: Fix[] = [];
    if (autoFits && scaling.mode !== 'auto') fixes.push(scaleFix(`Set data.scale to "auto" (maps ${range(autoScaling.from?.[0] ?? min, autoScaling.from?.[1] ?? max)} onto ${outText})`, 'auto', true));
    fixes.push(scaleFix(`Set data.scale to {"from": [${explicitFrom.join(', ')}]}`, { from: explicitFrom }, fixes.length === 0));
    const classic = eightBit && opts.activation === 'tanh' && scaling.mode === 'none';
    const message = classic
      ? `${what} holds values in ${raw}, fed as stored to a generator that ends in tanh and can only output ${outText}. The discriminator will separate real from fake by range alone, win at once, and the generator cannot learn. Set data.scale to "auto" (or {"from": [0, 255]}) to map the data onto ${outText}.`
      : `${what} holds values in ${raw}, ${fedAs}, outside the ${opts.activation} generator's output range ${outText}. The discriminator will separate real from fake by range alone, win at once, and the generator cannot learn. Set data.scale to ${autoFits && scaling.mode !== 'auto' ? '"auto" or ' : ''}{"from": [${explicitFrom.join(', ')}]}.`;
    return [{ code: 'data/out-of-range', severity: 'error', message, fixes, ...where }];
  }

  const mid = (out[0] + out[1]) / 2;
  const oneSided = fedLo >= mid - eps || fedHi <= mid + eps;
  if (scaling.mode !== 'auto' && oneSided && fedHi - fedLo < PARTIAL_RANGE_FRACTION * width && fedHi > fedLo) {
    const nominal: [number, number] = min >= 0 && max <= 1 ? [0, 1] : explicitFrom;
    return [{
      code: 'data/partial-range', severity: 'warning', ...where,
      fixes: [scaleFix('Set data.scale to "auto"', 'auto', true), scaleFix(`Set data.scale to {"from": [${nominal.join(', ')}]}`, { from: nominal })],
      message: `${what} holds values in ${raw}, ${fedAs}: only ${range(fedLo, fedHi)} of the ${opts.activation} generator's ${outText}. The generator must learn to avoid half its range, and the discriminator gets an easy early cue. Set data.scale to {"from": [${nominal.join(', ')}]} or "auto".`,
    }];
  }

  if (scaling.mode === 'auto' && scaling.observed) {
    const standardized = Math.abs(stats.mean) < 0.5 && Math.abs(stats.std - 1) < 0.5;
    const fix = enclosing(min, max);
    return [{
      code: 'data/odd-range', severity: 'warning', ...where,
      fixes: [scaleFix(`Set data.scale to {"from": [${fix.join(', ')}]}`, { from: fix }, true)],
      message: `${what} holds ${stats.dtype} values in ${range(min, max)}, not an image range like [0, 1], [-1, 1] or [0, 255]${standardized ? `; it looks standardized (mean ${(Math.abs(stats.mean) < 0.005 ? 0 : stats.mean).toFixed(2)}, std ${stats.std.toFixed(2)})` : ''}. "auto" maps this observed range onto ${outText}, so a few extreme values set the contrast. If you know the true range, set data.scale to {"from": [lo, hi]}; or save the images in [0, 1] or [0, 255].`,
    }];
  }
  return [];
}

export interface DataCheck {
  dataset?: Dataset;
  stats?: DatasetStats;
  scaling?: Scaling;
  problems: Problem[];
}

export interface CheckOptions {
  signal?: AbortSignal;
  /** Fraction of the statistics pass done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Keep the dataset open and return it (the trainer reads batches from it); otherwise it is closed. */
  keepOpen?: boolean;
  builtinDir?: string;
  /** Image folders: decode every image for the statistics (`lint --full`), not the sample sampler.ts picks. */
  full?: boolean;
  /** Image folders: write the prepared cache as batches are decoded (training does; lint only reads one). */
  writeCache?: boolean;
  /** Image folders: decode threads (default: the cores one training thread leaves over). */
  decodeWorkers?: number;
  decoder?: 'auto' | 'js';
}

/**
 * Where an image folder's prepared cache lives: data.cacheDir, or a .dcgan-cache folder beside the config; either
 * way inside the config's folder, so that a config from a cloned repository cannot make training write elsewhere.
 * Undefined with data.cache false; a Problem when data.cacheDir leads out of the config's folder.
 */
export function preparedLocation(config: DcganConfig, baseDir: string, dataPath: string, write: boolean): { dir: string; root: string; write: boolean } | Problem | undefined {
  if (config.data.cache === false || dataPath.startsWith('builtin:')) return undefined;
  const dir = config.data.cacheDir === undefined ? defaultCacheDir(path.resolve(baseDir)) : path.resolve(baseDir, config.data.cacheDir);
  if (isInside(path.resolve(baseDir), dir)) return { dir, root: path.resolve(baseDir), write };
  return {
    code: 'data/cache', severity: 'warning', location: { path: ['data', 'cacheDir'] },
    message: `data.cacheDir "${config.data.cacheDir}" resolves to ${dir}, outside the config's folder ${path.resolve(baseDir)}; no prepared cache is used. A config may only write below its own folder, so that one from a cloned repository cannot write elsewhere: use a relative data.cacheDir, or remove it to keep the cache in .dcgan-cache beside the config.`,
  };
}

/**
 * Opens the config's dataset, computes its statistics and lints it as configured. Problems are attached to
 * the config file (at data.path unless they concern another key), so the editor shows them in dcgan.json.
 */
export async function checkConfigData(config: DcganConfig, baseDir: string, configFile?: string, options: CheckOptions = {}): Promise<DataCheck> {
  const dataPath = resolveDataPath(config, baseDir);
  const attach = (p: Problem): Problem => (configFile ? { ...p, file: configFile, location: p.location?.path ? p.location : { ...p.location, path: ['data', 'path'] } } : p);
  const isBuiltin = dataPath.startsWith('builtin:');
  if (!isBuiltin && !fs.existsSync(dataPath)) {
    return {
      problems: [attach({
        code: 'config/data-path-missing', severity: 'error', file: dataPath, location: { path: ['data', 'path'] },
        message: `data.path "${config.data.path}" resolves to ${dataPath}, which does not exist. Fix data.path${configFile ? ` in ${configFile}` : ''} (relative paths start at the config file's folder), or use "builtin:mnist".`,
      })],
    };
  }
  let dataset: Dataset;
  const cacheProblems: Problem[] = [];
  const isFolder = !isBuiltin && fs.statSync(dataPath).isDirectory();
  const prepared = isFolder ? preparedLocation(config, baseDir, dataPath, options.writeCache ?? false) : undefined;
  if (prepared && 'code' in prepared) cacheProblems.push(attach(prepared));
  try {
    dataset = await openDataset(dataPath, {
      imageSize: config.model.imageSize, channels: config.model.channels, limit: config.data.limit, builtinDir: options.builtinDir, signal: options.signal,
      decoder: options.decoder, decodeWorkers: options.decodeWorkers, prepared: prepared && !('code' in prepared) ? prepared : undefined,
    });
  } catch (err) {
    if (err instanceof DatasetError) return { problems: [attach({ ...err.problem, location: { path: ['data', 'path'], ...err.problem.location } })] };
    throw err;
  }
  try {
    // 8-bit images need no full pass to know their scaling: a sample (the same one for lint and training) gives
    // their statistics and finds flat images, unless a full pass is asked for.
    const indices = dataset.format === 'images' && !options.full ? statsSample(dataset.count) : undefined;
    const stats = await computeStats(dataset, { signal: options.signal, onProgress: options.onProgress, indices });
    const scaling = resolveScaling(config.data.scale, stats, config.model.outputActivation);
    const problems = [
      ...cacheProblems,
      ...dataset.problems.map(attach),
      ...lintDataset(stats, scaling, {
        activation: config.model.outputActivation, batchSize: config.training.batchSize, channels: config.model.channels,
        imageSize: config.model.imageSize, file: dataPath, configFile, format: dataset.format,
      }),
      // The model's own shape, now that the data has told us the image size (only for a config the user can edit).
      ...(configFile ? modelProblems(config.model, config.model.imageSize ?? dataset.height, configFile) : []),
    ];
    // Errors first, and the range error first of all: it is the most likely reason training will fail.
    const rank = { error: 0, warning: 1, info: 2 } as const;
    const lead = (p: Problem) => (p.code === 'data/out-of-range' ? 0 : 1);
    problems.sort((x, y) => rank[x.severity] - rank[y.severity] || lead(x) - lead(y));
    if (!options.keepOpen) await dataset.close();
    return { dataset: options.keepOpen ? dataset : undefined, stats, scaling, problems };
  } catch (err) {
    await dataset.close();
    throw err;
  }
}

/** A bare dataset (no config) is checked as it would be fed as stored ("none") to a tanh generator at the default batch size. */
export async function checkDatasetPath(datasetPath: string, options: CheckOptions = {}): Promise<DataCheck> {
  const config = defaultConfig();
  config.data = { ...config.data, path: datasetPath.startsWith('builtin:') ? datasetPath : path.resolve(datasetPath), scale: 'none' };
  return checkConfigData(config, process.cwd(), undefined, options);
}

/** The dataset as the start event and `lint --json` describe it: shape, raw range and the range as fed. */
export function datasetSummary(ds: Pick<Dataset, 'source' | 'format' | 'dtype' | 'count' | 'height' | 'width' | 'channels'>, stats: DatasetStats | undefined, scaling: Pick<Scaling, 'scale' | 'offset'>): DatasetSummary {
  const summary: DatasetSummary = {
    source: ds.source, format: ds.format, dtype: ds.dtype, count: ds.count, height: ds.height, width: ds.width, channels: ds.channels,
    scale: scaling.scale, offset: scaling.offset,
  };
  if (stats && Number.isFinite(stats.min) && Number.isFinite(stats.max)) {
    const a = stats.min * scaling.scale + scaling.offset;
    const b = stats.max * scaling.scale + scaling.offset;
    Object.assign(summary, { min: stats.min, max: stats.max, fedMin: Math.min(a, b), fedMax: Math.max(a, b) });
  }
  return summary;
}
