/**
 * The training event stream. The trainer emits these; the CLI prints them (or writes them as JSON lines),
 * the worker forwards them to the extension host, and the dashboard draws them.
 * Field names are the CLI's `--json` contract: add fields, never rename.
 */
import type { Problem } from './problem';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** The GPU adapter the webgpu backend runs on, as Dawn reports it. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  device?: string;
  /** A software rasteriser (SwiftShader, llvmpipe, WARP) or an adapter flagged isFallbackAdapter: no GPU. */
  software: boolean;
}

export interface BackendInfo {
  name: BackendName;
  /** True when the backend runs on a GPU: tensorflow on a CUDA device, or webgpu on a hardware adapter. */
  gpu: boolean;
  /** Why this backend ran, in the user's words, e.g. "@tensorflow/tfjs-node-gpu is not installed; using wasm". */
  reason: string;
  /** Threads used by the wasm backend. */
  threads?: number;
  /** Package that provided the backend, with its version. */
  package?: string;
  /** webgpu only: the adapter it runs on. */
  adapter?: GpuAdapterInfo;
}

export interface DatasetSummary {
  source: string;
  format: string;
  dtype: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  min?: number;
  max?: number;
  /** The affine map applied per batch: fed = raw * scale + offset. */
  scale: number;
  offset: number;
  /** Range of the data as fed to the discriminator, after scaling. */
  fedMin?: number;
  fedMax?: number;
}

export interface StartEvent {
  event: 'start';
  backend: BackendInfo;
  runId: string;
  /** The step training starts from: 0, or the checkpoint's step on resume. */
  step: number;
  steps: number;
  batchSize: number;
  imageSize: number;
  channels: number;
  seed: number;
  outputDir: string;
  configFile?: string;
  dataset: DatasetSummary;
  /** The resolved config, defaults filled in. */
  config: unknown;
}

export interface StepEvent {
  event: 'step';
  step: number;
  lossD: number;
  lossG: number;
  /** Mean D(x) on the real batch, as a probability. */
  dReal: number;
  /** Mean D(G(z)) on the fake batch, as a probability. */
  dFake: number;
  /** Wall time of this iteration in milliseconds. */
  ms: number;
  /** Global L2 norm of the generator's gradients (last G update). */
  gradNormG?: number;
  gradNormD?: number;
  /** Instance-noise standard deviation used this step. */
  instanceNoise?: number;
  /** True when adaptive balance skipped the D update this step. */
  dSkipped?: boolean;
}

export interface SamplesEvent {
  event: 'samples';
  step: number;
  /** Absolute path of the PNG grid. */
  file: string;
  /** Grid pixels for live views (not in --json output). */
  grid?: GridImage;
  /** Diversity of the fixed-noise batch: mean pairwise L2 distance, per pixel. */
  diversity?: number;
}

export interface GridImage {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB), uint8, row-major. */
  channels: number;
  data: Uint8Array;
}

export interface CheckpointEvent {
  event: 'checkpoint';
  step: number;
  dir: string;
}

export type ProblemEvent = { event: 'problem'; step?: number } & Problem;

/** An adaptive-balance intervention, visible as a marker on the dashboard's charts. */
export interface BalanceEvent {
  event: 'balance';
  step: number;
  action: 'skip-discriminator' | 'raise-instance-noise' | 'resume-discriminator' | 'lower-instance-noise';
  /** The new instance-noise level, or the number of D updates skipped so far. */
  value: number;
  message: string;
}

export interface EvalEvent {
  event: 'eval';
  step: number;
  /** Mean top-class confidence of the MNIST classifier on generated digits (MNIST-like data only). */
  classifierScore?: number;
  /** Number of digit classes that take at least 5% of generated samples. */
  classCoverage?: number;
  /** Fréchet distance in the classifier's penultimate features to held-out real digits. */
  frechetDistance?: number;
  diversity: number;
  count: number;
}

export type EndReason = 'completed' | 'stopped' | 'error' | 'non-finite';

export interface EndEvent {
  event: 'end';
  reason: EndReason;
  step: number;
  message?: string;
  /** Last checkpoint written, if any. */
  checkpoint?: string;
}

export type TrainEvent =
  | StartEvent
  | StepEvent
  | SamplesEvent
  | CheckpointEvent
  | ProblemEvent
  | BalanceEvent
  | EvalEvent
  | EndEvent;

export type TrainEventName = TrainEvent['event'];

const EVENT_NAMES: ReadonlySet<string> = new Set<TrainEventName>([
  'start', 'step', 'samples', 'checkpoint', 'problem', 'balance', 'eval', 'end',
]);

export function isTrainEvent(x: unknown): x is TrainEvent {
  return typeof x === 'object' && x !== null && EVENT_NAMES.has((x as { event?: unknown }).event as string);
}
