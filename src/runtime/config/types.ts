/** The config after defaults are filled in. Mirrors schema.json, which is the single source of truth. */

export type DataScale = 'auto' | 'none' | { from: [number, number] };
export type LearningRate = number | { generator: number; discriminator: number };
export type InstanceNoise = number | { start: number; decaySteps?: number };

export interface DcganConfig {
  data: { path: string; scale: DataScale; limit?: number; /** Image folders: use and write a prepared cache (default true). */ cache?: boolean; cacheDir?: string };
  model: {
    imageSize?: number;
    channels?: number;
    latentDim: number;
    generatorFilters: number;
    discriminatorFilters: number;
    /** The 28×28 generator's transposed-convolution kernel size (default 4; absent in configs saved before it existed, which meant 5). */
    generatorKernelSize?: 4 | 5;
    leakyReluAlpha: number;
    discriminatorDropout: number;
    outputActivation: 'tanh' | 'sigmoid';
  };
  training: {
    batchSize: number;
    steps: number;
    learningRate: LearningRate;
    beta1: number;
    beta2: number;
    seed: number;
    labelSmoothing: number;
    labelNoise: number;
    generatorStepsPerDiscriminatorStep: number;
    instanceNoise: InstanceNoise;
    balance: 'off' | 'adaptive';
    generatorAverage: number;
  };
  output: { dir: string; sampleEvery: number; checkpointEvery: number; keepCheckpoints: number; sampleCount: number };
  runtime: { backend: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'; threads: number };
  /** Health-monitor thresholds; see health.ts for their meaning and defaults. */
  health?: Record<string, number>;
  /** sbatch options for `dcgan-studio sweep --runner slurm` (src/runtime/sweep/slurm.ts). */
  slurm?: SlurmOptions;
}

export interface SlurmOptions {
  partition?: string;
  time?: string;
  gres?: string;
  cpusPerTask?: number;
  mem?: string;
  account?: string;
  qos?: string;
  constraint?: string;
}

export function learningRates(lr: LearningRate): { generator: number; discriminator: number } {
  return typeof lr === 'number' ? { generator: lr, discriminator: lr } : lr;
}

export function instanceNoiseAt(noise: InstanceNoise, step: number): number {
  if (typeof noise === 'number') return noise;
  const decay = noise.decaySteps ?? 1000;
  return Math.max(0, noise.start * (1 - step / decay));
}

/** The generator's output range, which real data must be fed in. */
export function outputRange(activation: 'tanh' | 'sigmoid'): [number, number] {
  return activation === 'tanh' ? [-1, 1] : [0, 1];
}
