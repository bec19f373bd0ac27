/**
 * The few building blocks the two networks need, written with raw tf ops so the trainer controls batch
 * statistics, dropout seeds and which variables each optimizer sees. Weights start as in the DCGAN paper:
 * N(0, 0.02) for conv and dense kernels, N(1, 0.02) for batch-norm scales, zero biases.
 */
import type { TF } from '../backend/select';
import type { Rng } from '../train/rng';
import type * as tfc from '@tensorflow/tfjs-core';
import { BATCH_NORM_ACT, BATCH_NORM_ACT_GRAD } from '../backend/wasm-batchnorm';

export const INIT_STD = 0.02;
export const BN_EPSILON = 1e-5;

/**
 * Passed as `tf` to a model builder, it makes the ParamStore record each parameter's name and shape instead of
 * allocating it: how a checkpoint's declared model is sized before anything is built (train/checkpointCheck.ts).
 * The builders use tf only inside apply(), which is never called on such a model.
 */
export const SHAPES_ONLY = Object.freeze({}) as TF;

export class ParamStore {
  readonly variables: tfc.Variable[] = [];
  constructor(private readonly tf: TF, private readonly prefix: string, private readonly rng: Rng) {}

  private record(name: string, shape: number[]): tfc.Variable {
    const v = { name: `${this.prefix}/${name}`, shape, size: shape.reduce((a, b) => a * b, 1) } as unknown as tfc.Variable;
    this.variables.push(v);
    return v;
  }

  normal(name: string, shape: number[], mean = 0, std = INIT_STD): tfc.Variable {
    if (this.tf === SHAPES_ONLY) return this.record(name, shape);
    const tf = this.tf;
    const initial = tf.randomNormal(shape, mean, std, 'float32', this.rng.seed());
    const v = tf.variable(initial, true, `${this.prefix}/${name}`);
    initial.dispose();
    this.variables.push(v);
    return v;
  }

  zeros(name: string, shape: number[]): tfc.Variable {
    if (this.tf === SHAPES_ONLY) return this.record(name, shape);
    // The variable shares the initial tensor's data; the tensor object is ours to dispose, or it pins that data.
    const initial = this.tf.zeros(shape);
    const v = this.tf.variable(initial, true, `${this.prefix}/${name}`);
    initial.dispose();
    this.variables.push(v);
    return v;
  }
}

export interface BatchNormParams {
  gamma: tfc.Variable;
  beta: tfc.Variable;
}

export function batchNormParams(store: ParamStore, name: string, channels: number): BatchNormParams {
  return { gamma: store.normal(`${name}/gamma`, [channels], 1, INIT_STD), beta: store.zeros(`${name}/beta`, [channels]) };
}

/**
 * Batch norm with the batch's own statistics, in training and in sampling alike. Sample grids are drawn from a
 * 64-vector fixed-noise batch, so batch statistics are well defined there; moving averages at Keras' momentum lag
 * far behind early in training and give blank grids (measured with PyTorch on this task, ENVIRONMENT.md).
 */
export function batchNorm<T extends tfc.Tensor>(tf: TF, x: T, p: BatchNormParams): T {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPSILON))), p.gamma), p.beta) as T;
}

/**
 * act(batchNorm(x)) with act(z) = z for z > 0, slope · z otherwise (0: ReLU, α: LeakyReLU). One fused kernel
 * forward and one backward where the backend registers them (wasm: backend/wasm-batchnorm.ts); the composed
 * ops elsewhere. Both give the same values and gradients (test/unit/backend-wasm-batchnorm.test.ts).
 */
export function batchNormAct<T extends tfc.Tensor>(tf: TF, x: T, p: BatchNormParams, slope: number): T {
  if (!tf.getKernel(BATCH_NORM_ACT, tf.getBackend()) || !tf.getKernel(BATCH_NORM_ACT_GRAD, tf.getBackend())) {
    const y = batchNorm(tf, x, p);
    return (slope === 0 ? tf.relu(y) : slope === 1 ? y : tf.leakyRelu(y, slope)) as T;
  }
  const attrs = { epsilon: BN_EPSILON, slope };
  const f = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [xIn, gamma, beta] = args as tfc.Tensor[];
    const save = args[3] as tfc.GradSaveFunc;
    const [y, mean, invStd] = tf.engine().runKernel(BATCH_NORM_ACT, { x: xIn, gamma, beta }, attrs as unknown as tfc.NamedAttrMap) as tfc.Tensor[];
    save([xIn, y, gamma, mean, invStd]);
    return {
      value: y,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [sx, sy, sg, sm, si] = saved;
        return tf.engine().runKernel(BATCH_NORM_ACT_GRAD, { dy, x: sx, y: sy, gamma: sg, mean: sm, invStd: si }, { slope } as unknown as tfc.NamedAttrMap) as tfc.Tensor[];
      },
    };
  });
  return f(x, p.gamma, p.beta) as T;
}

export function dense(tf: TF, x: tfc.Tensor2D, kernel: tfc.Variable, bias?: tfc.Variable): tfc.Tensor2D {
  const y = tf.matMul(x, kernel as unknown as tfc.Tensor2D) as tfc.Tensor2D;
  return bias ? (tf.add(y, bias) as tfc.Tensor2D) : y;
}

/** A transposed conv doubling (stride 2) or keeping (stride 1) the spatial size, 'same' padding. */
export function convTranspose(tf: TF, x: tfc.Tensor4D, kernel: tfc.Variable, stride: number): tfc.Tensor4D {
  const [n, h, w] = x.shape;
  const outC = kernel.shape[2] as number;
  return tf.conv2dTranspose(x, kernel as tfc.Tensor4D, [n, h * stride, w * stride, outC], stride, 'same');
}

export function conv(tf: TF, x: tfc.Tensor4D, kernel: tfc.Variable, stride: number, bias?: tfc.Variable): tfc.Tensor4D {
  const y = tf.conv2d(x, kernel as tfc.Tensor4D, stride, 'same');
  return bias ? tf.add(y, bias) : y;
}
