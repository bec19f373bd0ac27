/**
 * An exponential moving average of the generator's weights (training.generatorAverage). The raw generator of
 * a GAN wanders around a good solution from step to step; its time average sits closer to it, so samples from
 * the average are sharper and steadier at no training cost (Yazıcı et al. 2019, "The Unusual Effectiveness of
 * Averaging in GAN Training"). Only sampling uses it: grids, checkpoints' samples, evaluation.
 *
 * Early on the average would be dominated by the random initial weights, so the decay ramps up with the
 * step count as TensorFlow's ExponentialMovingAverage does: min(decay, (1 + t) / (10 + t)).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { TF } from '../backend/select';
import { buildGenerator, type Generator } from '../model/generator';
import type { ModelSpec } from '../model/spec';
import { Rng } from './rng';

export class GeneratorAverage {
  /** A generator of the same shape whose variables hold the average. */
  readonly generator: Generator;

  constructor(private readonly tf: TF, spec: ModelSpec, private readonly source: Generator, private readonly decay: number) {
    this.generator = buildGenerator(tf, spec, new Rng(0), 'generatorAverage');
    this.generator.variables.forEach((v, i) => v.assign(source.variables[i]));
  }

  get variables(): tfc.Variable[] {
    return this.generator.variables;
  }

  /** The decay applied after step `step` (1-based). */
  decayAt(step: number): number {
    return Math.min(this.decay, (1 + step) / (10 + step));
  }

  /** avg ← d·avg + (1 − d)·w, for every generator variable. */
  update(step: number): void {
    const d = this.decayAt(step);
    const tf = this.tf;
    tf.tidy(() => {
      this.generator.variables.forEach((avg, i) => avg.assign(tf.add(tf.mul(avg, d), tf.mul(this.source.variables[i], 1 - d))));
    });
  }

  dispose(): void {
    this.generator.variables.forEach((v) => v.dispose());
  }
}
