/**
 * The training loop. Reads top to bottom in the order training happens (as pytorch/examples/dcgan does):
 * data check → run folder → networks and optimizers → fixed noise → iterations → samples, checkpoints → end.
 *
 * One iteration = generatorStepsPerDiscriminatorStep generator updates, then one discriminator update (unless
 * adaptive balance skips it). The generator update runs first and keeps its fake batch, which the
 * discriminator update then reuses: one generator forward pass per iteration instead of two.
 * Losses are BCE with logits, summed over the real and fake halves for D (so at balance Loss_D ≈ 2·ln 2).
 */
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import type { TF } from '../backend/select';
import { learningRates, outputRange, type DcganConfig } from '../config/types';
import { BatchStream } from '../data/batches';
import { checkConfigData, datasetSummary, type DataCheck } from '../data/lint';
import type { Dataset } from '../data/types';
import type { EndEvent, EndReason, StepEvent } from '../events';
import type { Problem } from '../problem';
import { buildDiscriminator, type Discriminator } from '../model/discriminator';
import { buildGenerator, type Generator } from '../model/generator';
import { architecture, weightShapeDifferences, type ModelSpec } from '../model/spec';
import { diversity } from '../eval/diversity';
import { AdaptiveBalancer } from './balance';
import { GeneratorAverage } from './average';
import { HealthMonitor } from './health';
import { pruneCheckpoints, readCheckpoint, assignVariables, restoreOptimizer, saveCheckpoint, type LoadedCheckpoint } from './checkpoint';
import { latestCheckpoint } from '../runs/list';
import { sampleFileName, tileGrid, writePng } from './grid';
import { OutputPathError } from '../outputFiles';
import { RunFiles } from './runOutput';
import { StepRate } from '../progress';
import { Rng } from './rng';
import type { TrainOptions } from './types';

export type { TrainOptions } from './types';

/** Real images shown beside fakes in the side panel. */

export async function train(opts: TrainOptions): Promise<EndEvent> {
  const { config, backend, signal } = opts;
  const tf = backend.tf;
  let run: RunFiles;
  try {
    run = new RunFiles(opts);
  } catch (err) {
    if (!(err instanceof OutputPathError)) throw err;
    // No run folder to write to: the end event goes to the listener alone.
    const e: EndEvent = { event: 'end', reason: 'error', step: 0, message: err.message };
    opts.onEvent(e);
    return e;
  }
  let step = 0;
  const end = (reason: EndReason, message?: string, checkpoint?: string): EndEvent => {
    const e: EndEvent = { event: 'end', reason, step, ...(message ? { message } : {}), ...(checkpoint ? { checkpoint } : {}) };
    run.emit(e);
    run.close(reason);
    return e;
  };

  // 1. The data, checked before step 1: scaling bugs are cheaper to catch here than after an hour of training.
  let check: DataCheck;
  try {
    check = opts.dataCheck ?? (await checkConfigData(config, opts.baseDir, opts.configFile, { signal, keepOpen: true }));
  } catch (err) {
    return end('error', `The dataset could not be checked: ${(err as Error).message}`);
  }
  for (const p of check.problems) run.emit({ event: 'problem', ...p });
  const dataset = check.dataset;
  if (!dataset || !check.scaling || !check.stats) {
    return end('error', check.problems.find((p) => p.severity === 'error')?.message ?? 'The dataset could not be opened.');
  }
  const blocking = check.problems.filter((p) => p.severity === 'error');
  if (blocking.length > 0 && !opts.force) {
    await dataset.close();
    return end('error', `Not training: the dataset check found ${blocking.length} error(s), starting with ${blocking[0].code}. Apply the suggested fix, or train anyway (--force) to watch it fail.`);
  }

  try {
    return await trainOnData(opts, tf, dataset, check, run, (s) => (step = s), end);
  } catch (err) {
    return end(signal?.aborted ? 'stopped' : 'error', (err as Error).message);
  } finally {
    await dataset.close();
  }
}

async function trainOnData(
  opts: TrainOptions,
  tf: TF,
  dataset: Dataset,
  check: DataCheck,
  run: RunFiles,
  setStep: (s: number) => void,
  end: (reason: EndReason, message?: string, checkpoint?: string) => EndEvent,
): Promise<EndEvent> {
  const { config, signal } = opts;
  const t = config.training;
  const scaling = { scale: check.scaling!.scale, offset: check.scaling!.offset };
  const spec = modelSpec(config, dataset);
  architecture(spec.imageSize); // throws a clear error for unsupported sizes
  if (dataset.height !== spec.imageSize || dataset.width !== spec.imageSize || dataset.channels !== spec.channels) {
    return end('error', `The data is ${dataset.height}×${dataset.width}×${dataset.channels}, but the model expects ${spec.imageSize}×${spec.imageSize}×${spec.channels}. Remove model.imageSize and model.channels to infer them from the data.`);
  }
  const batchSize = t.batchSize;
  if (dataset.count < batchSize) {
    return end('error', `The dataset has ${dataset.count} images, fewer than one batch (training.batchSize ${batchSize}). Lower training.batchSize or add data.`);
  }

  // 2. Resume: the newest complete checkpoint of the run folder decides where we start.
  let resumeFrom: LoadedCheckpoint | undefined;
  // Before anything is read from or written to an existing run folder: no links where the run writes.
  try {
    run.check();
  } catch (err) {
    if (err instanceof OutputPathError) return end('error', err.message);
    throw err;
  }
  if (opts.resume) {
    const dir = latestCheckpoint(run.dir);
    if (!dir) {
      return end('error', opts.runDir
        ? `--resume: no checkpoint in ${path.join(run.dir, 'checkpoints')}. Train without --resume first.`
        : `--resume: no run with a checkpoint under ${path.dirname(run.dir)}. Train once without --resume first, or pass --run DIR.`);
    }
    resumeFrom = readCheckpoint(dir);
    const differs = weightShapeDifferences(resumeFrom.manifest.spec, spec);
    if (differs.length > 0) {
      return end('error', `--resume: ${dir} was trained with ${differs.join(', ')}. Set ${differs.length > 1 ? 'those keys' : 'that key'} in the config to resume this run, or train a new run without --resume.`);
    }
  }
  const rng = new Rng(t.seed);

  // 3. Networks and optimizers. Each optimizer sees only its network's variables.
  const G = buildGenerator(tf, spec, rng);
  const D = buildDiscriminator(tf, spec, rng);
  const lr = learningRates(t.learningRate);
  const optG = tf.train.adam(lr.generator, t.beta1, t.beta2);
  const optD = tf.train.adam(lr.discriminator, t.beta1, t.beta2);
  // 4. The fixed noise vector: every sample grid of the run comes from it, so grids compare across time.
  const fixedNoise = tf.randomNormal([config.output.sampleCount, spec.latentDim], 0, 1, 'float32', t.seed + 1) as tfc.Tensor2D;
  let step = 0;
  if (resumeFrom) {
    assignVariables(tf, resumeFrom, resumeFrom.manifest.generator, G.variables, 'generator');
    assignVariables(tf, resumeFrom, resumeFrom.manifest.discriminator, D.variables, 'discriminator');
    await restoreOptimizer(tf, resumeFrom, resumeFrom.manifest.optimizerG, optG);
    await restoreOptimizer(tf, resumeFrom, resumeFrom.manifest.optimizerD, optD);
    rng.setState(resumeFrom.manifest.rngState);
    step = resumeFrom.manifest.step;
  }
  setStep(step);
  // 5. The generator's weight average, which samples are drawn from (training.generatorAverage): a copy of the
  // (restored) generator, or the checkpoint's average on resume.
  const average = t.generatorAverage > 0 ? new GeneratorAverage(tf, spec, G, t.generatorAverage) : undefined;
  if (average && resumeFrom?.manifest.generatorAverage) assignVariables(tf, resumeFrom, resumeFrom.manifest.generatorAverage, average.variables, 'generator average');
  const disposeAll = () => {
    [...G.variables, ...D.variables].forEach((v) => v.dispose());
    average?.dispose();
    optG.dispose();
    optD.dispose();
    fixedNoise.dispose();
  };

  const summary = datasetSummary(dataset, check.stats, scaling);
  const range = outputRange(spec.outputActivation);
  const health = new HealthMonitor({
    activation: spec.outputActivation,
    outputRange: range,
    fedMin: summary.fedMin,
    fedMax: summary.fedMax,
    scaleDescription: check.scaling!.description,
    config,
  });
  const balancer = new AdaptiveBalancer(t);
  // Problems found while reading (a file that no longer decodes, mid-epoch) are reported at the step they appear.
  const batches = new BatchStream(tf, dataset, batchSize, scaling, rng, (p) => run.emit({ event: 'problem', step, ...p }));

  run.start(config, resumeFrom?.manifest.runId);
  run.emit({
    event: 'start',
    backend: opts.backend.info,
    runId: run.runId,
    step,
    steps: t.steps,
    batchSize,
    imageSize: spec.imageSize,
    channels: spec.channels,
    seed: t.seed,
    outputDir: run.dir,
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
    dataset: summary,
    config,
  });
  if (!resumeFrom) await run.writeRealGrid(dataset, spec, range, scaling, rng);

  let lastCheckpoint: string | undefined = resumeFrom?.dir;
  const checkpoint = async (): Promise<void> => {
    lastCheckpoint = await saveCheckpoint(path.join(run.dir, 'checkpoints'), {
      step, runId: run.runId, spec, config, rngState: rng.getState(), scaling,
      generator: G.variables, discriminator: D.variables, optimizerG: optG, optimizerD: optD, fixedNoise,
      ...(average ? { generatorAverage: average.variables } : {}),
    });
    run.emit({ event: 'checkpoint', step, dir: lastCheckpoint });
    pruneCheckpoints(path.join(run.dir, 'checkpoints'), config.output.keepCheckpoints);
  };
  const samples = async (): Promise<void> => {
    // The grid shows the averaged generator; diversity (and the mode-collapse check) measures the generator
    // being trained, which the average would show only with a lag.
    const images = tf.tidy(() => (average?.generator ?? G).apply(fixedNoise));
    const trained = average ? tf.tidy(() => G.apply(fixedNoise)) : images;
    const div = await diversity(tf, trained);
    if (trained !== images) trained.dispose();
    const pixels = (await images.data()) as Float32Array;
    images.dispose();
    const grid = tileGrid(pixels, config.output.sampleCount, spec.imageSize, spec.channels, range);
    const file = path.join(run.dir, 'samples', sampleFileName(step));
    writePng(run.dir, file, grid);
    run.emit({ event: 'samples', step, file, diversity: div, ...(opts.emitGridPixels ? { grid } : {}) });
    for (const p of health.observeSamples(step, div)) run.emit({ event: 'problem', step, ...p });
  };

  const iteration = makeIteration(tf, G, D, optG, optD, config, spec, rng);
  const rate = new StepRate();
  try {
    while (step < t.steps) {
      // Every await in a step resolves as a microtask, so without this the event loop never polls during
      // training: SIGINT handlers (CLI Ctrl-C) and worker 'stop' messages would only run after the last step.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) {
        await checkpoint();
        return end('stopped', 'Stopped by the user; the last checkpoint was saved.', lastCheckpoint);
      }
      const started = performance.now();
      const plan = balancer.plan(step);
      const real = await batches.next();
      const m = await iteration(real, plan.skipDiscriminator, plan.instanceNoise);
      step++;
      setStep(step);
      average?.update(step);
      rate.add(step, performance.now());
      const itPerSecond = rate.perSecond;
      const e: StepEvent = {
        event: 'step', step, lossD: m.lossD, lossG: m.lossG, dReal: m.dReal, dFake: m.dFake,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(itPerSecond !== undefined ? { itPerSecond: Math.round(itPerSecond * 1000) / 1000 } : {}),
        gradNormG: m.gradNormG, ...(m.gradNormD !== undefined ? { gradNormD: m.gradNormD } : {}),
        instanceNoise: plan.instanceNoise, ...(plan.skipDiscriminator ? { dSkipped: true } : {}),
      };
      run.emit(e);
      const alerts = health.observeStep(e);
      for (const p of alerts) run.emit({ event: 'problem', step, ...p });
      for (const b of balancer.observe(e)) run.emit(b);

      if (![m.lossD, m.lossG, m.dReal, m.dFake].every(Number.isFinite)) {
        if (!alerts.some((p) => p.code === 'health/non-finite')) run.emit({ event: 'problem', step, ...nonFiniteProblem(step, lastCheckpoint) });
        // Roll back: the weights in memory are poisoned; the newest checkpoint on disk is the last good state.
        return end('non-finite', `Training produced NaN or Inf at step ${step} and stopped. ${lastCheckpoint ? `Rolled back to the last good checkpoint, ${lastCheckpoint}; resume from it after applying a remedy.` : 'No checkpoint had been saved yet.'}`, lastCheckpoint);
      }
      if (step % config.output.sampleEvery === 0 || step === 1 || step === t.steps) await samples();
      if (step % config.output.checkpointEvery === 0 || step === t.steps) await checkpoint();
    }
    return end('completed', undefined, lastCheckpoint);
  } finally {
    disposeAll();
  }
}

interface IterationMetrics {
  lossD: number;
  lossG: number;
  dReal: number;
  dFake: number;
  gradNormG: number;
  gradNormD?: number;
}

/**
 * Builds the per-iteration update. All tensors are created inside tf.tidy or variableGrads and disposed before
 * it returns; the only values leaving it are plain numbers, read with one data() call per iteration.
 */
function makeIteration(tf: TF, G: Generator, D: Discriminator, optG: tfc.Optimizer, optD: tfc.Optimizer, config: DcganConfig, spec: ModelSpec, rng: Rng) {
  const t = config.training;
  const realTarget = 1 - t.labelSmoothing;
  const B = t.batchSize;
  const gVars = G.variables;
  const dVars = D.variables;

  const bce = (logits: tfc.Tensor, targets: tfc.Tensor | number): tfc.Scalar =>
    // max(x,0) − x·z + log(1 + e^−|x|): the numerically stable form of sigmoid cross-entropy.
    tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))) as tfc.Scalar;

  const noisy = (x: tfc.Tensor4D, sigma: number): tfc.Tensor4D =>
    sigma > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, sigma, 'float32', rng.seed())) : x;

  /** Discriminator targets with one-sided smoothing (real only) and random label flips. */
  const targets = (value: number, flipTo: number): tfc.Tensor | number => {
    if (t.labelNoise <= 0) return value;
    const flip = tf.less(tf.randomUniform([B, 1], 0, 1, 'float32', rng.seed()), t.labelNoise);
    return tf.where(flip, tf.fill([B, 1], flipTo), tf.fill([B, 1], value));
  };

  const globalNorm = (grads: tfc.NamedTensorMap): tfc.Scalar =>
    tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tfc.Scalar);

  return async (real: tfc.Tensor4D, skipD: boolean, sigma: number): Promise<IterationMetrics> => {
    let fake: tfc.Tensor4D | undefined;
    const kept: tfc.Tensor[] = [];
    try {
      // Generator update(s): maximise log D(G(z)) (the non-saturating loss), gradients through D into G only.
      let lossG: tfc.Scalar | undefined;
      let normG: tfc.Scalar | undefined;
      for (let k = 0; k < t.generatorStepsPerDiscriminatorStep; k++) {
        const last = k === t.generatorStepsPerDiscriminatorStep - 1;
        const z = tf.randomNormal([B, spec.latentDim], 0, 1, 'float32', rng.seed()) as tfc.Tensor2D;
        kept.push(z);
        const { value, grads } = tf.variableGrads(() => {
          const images = G.apply(z);
          if (last) fake = tf.keep(images);
          return bce(D.apply(noisy(images, sigma), true), 1);
        }, gVars);
        optG.applyGradients(grads);
        lossG?.dispose();
        normG?.dispose();
        lossG = value;
        normG = globalNorm(grads);
        tf.dispose(grads);
      }
      kept.push(lossG!, normG!);
      const fakeImages = fake!;

      // Discriminator update: real → realTarget, fake → 0 (the fake batch is the generator's, as constants).
      let lossD: tfc.Scalar;
      let dReal: tfc.Scalar;
      let dFake: tfc.Scalar;
      let normD: tfc.Scalar | undefined;
      const dLoss = () => {
        const realLogits = D.apply(noisy(real, sigma), true);
        const fakeLogits = D.apply(noisy(fakeImages, sigma), true);
        dReal = tf.keep(tf.mean(tf.sigmoid(realLogits)) as tfc.Scalar);
        dFake = tf.keep(tf.mean(tf.sigmoid(fakeLogits)) as tfc.Scalar);
        return tf.add(bce(realLogits, targets(realTarget, 0)), bce(fakeLogits, targets(0, realTarget))) as tfc.Scalar;
      };
      if (skipD) {
        lossD = tf.tidy(dLoss);
      } else {
        const { value, grads } = tf.variableGrads(dLoss, dVars);
        optD.applyGradients(grads);
        lossD = value;
        normD = globalNorm(grads);
        tf.dispose(grads);
      }
      kept.push(lossD, dReal!, dFake!);
      if (normD) kept.push(normD);

      const packed = tf.stack([lossD, lossG!, dReal!, dFake!, normG!, ...(normD ? [normD] : [])]);
      const v = await packed.data();
      packed.dispose();
      return { lossD: v[0], lossG: v[1], dReal: v[2], dFake: v[3], gradNormG: v[4], ...(normD ? { gradNormD: v[5] } : {}) };
    } finally {
      tf.dispose(kept);
      fake?.dispose();
      real.dispose();
    }
  };
}

function modelSpec(config: DcganConfig, dataset: Dataset): ModelSpec {
  const m = config.model;
  return { ...m, imageSize: m.imageSize ?? dataset.height, channels: m.channels ?? dataset.channels };
}

function nonFiniteProblem(step: number, checkpoint: string | undefined): Problem {
  return {
    code: 'health/non-finite',
    severity: 'error',
    step,
    message: `Loss or D output became NaN/Inf at step ${step}. Training stopped${checkpoint ? ` and rolled back to ${checkpoint}` : ''}.`,
    causes: ['Data with NaN/Inf values, or far outside the generator\'s range', 'A learning rate too high for this model', 'An exploding discriminator'],
  };
}
