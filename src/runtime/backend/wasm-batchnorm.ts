/**
 * Batch norm with the batch's statistics, fused with the activation that follows it, as two wasm kernels:
 *
 *   DcganBatchNormAct      x [.., C], gamma [C], beta [C] → y = act(gamma · (x − mean) · invStd + beta), mean, invStd
 *   DcganBatchNormActGrad  dy, x, y, gamma, mean, invStd → dx, dgamma, dbeta
 *
 * act(z) is z for z > 0 and slope · z otherwise (slope 0: ReLU, the generator's; α: LeakyReLU, the
 * discriminator's; 1: none). Statistics run over every axis but the last (channels), as tf.moments does over
 * [0, 1, 2] for images and [0] for the generator's dense layer; the variance is the biased (population) one.
 *
 * Composed of tfjs ops, batch norm plus its activation is about twenty elementwise and reduction kernels forward
 * and backward (moments, broadcasts, the gradients' Sum over the broadcast axes), each one a pass over the
 * activations; here it is two passes forward and two backward. The accumulators are float64.
 *
 * The model calls these through src/runtime/model/batchnorm.ts, which falls back to the composed ops on
 * backends that do not register them.
 */
import type * as tfCore from '@tensorflow/tfjs-core';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

export const BATCH_NORM_ACT = 'DcganBatchNormAct';
export const BATCH_NORM_ACT_GRAD = 'DcganBatchNormActGrad';

export interface BatchNormActAttrs {
  epsilon: number;
  slope: number;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Forward pass over x viewed as [M, C]; writes y, mean and invStd. */
export function batchNormActForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, C: number, epsilon: number, slope: number, y: Float32Array, mean: Float32Array, invStd: Float32Array): void {
  const M = x.length / C;
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  for (let m = 0, i = 0; m < M; m++) {
    for (let c = 0; c < C; c++, i++) {
      const v = x[i];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const mu = sum[c] / M;
    const variance = Math.max(0, sumSq[c] / M - mu * mu);
    const inv = 1 / Math.sqrt(variance + epsilon);
    mean[c] = mu;
    invStd[c] = inv;
    scale[c] = gamma[c] * inv;
    shift[c] = beta[c] - mu * gamma[c] * inv;
  }
  for (let m = 0, i = 0; m < M; m++) {
    for (let c = 0; c < C; c++, i++) {
      const z = x[i] * scale[c] + shift[c];
      y[i] = z > 0 ? z : slope * z;
    }
  }
}

/** Backward pass; dx may not alias the inputs. */
export function batchNormActBackward(dy: Float32Array, x: Float32Array, y: Float32Array, gamma: Float32Array, mean: Float32Array, invStd: Float32Array, C: number, slope: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void {
  const M = x.length / C;
  const sumDz = new Float64Array(C);
  const sumDzX = new Float64Array(C);
  for (let m = 0, i = 0; m < M; m++) {
    for (let c = 0; c < C; c++, i++) {
      const dz = y[i] > 0 ? dy[i] : slope * dy[i];
      sumDz[c] += dz;
      sumDzX[c] += dz * (x[i] - mean[c]);
    }
  }
  // dx = gamma·invStd·(dz − mean(dz) − x̂·mean(dz·x̂)) = a·dz + b·x + k per channel.
  const a = new Float32Array(C);
  const b = new Float32Array(C);
  const k = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const inv = invStd[c];
    const dg = sumDzX[c] * inv; // Σ dz·x̂
    dgamma[c] = dg;
    dbeta[c] = sumDz[c];
    a[c] = gamma[c] * inv;
    b[c] = (-gamma[c] * inv * inv * dg) / M;
    k[c] = (-gamma[c] * inv * sumDz[c]) / M - b[c] * mean[c];
  }
  for (let m = 0, i = 0; m < M; m++) {
    for (let c = 0; c < C; c++, i++) {
      const dz = y[i] > 0 ? dy[i] : slope * dy[i];
      dx[i] = a[c] * dz + b[c] * x[i] + k[c];
    }
  }
}

let registered = false;

export function registerWasmBatchNormKernels(tf: TF): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: BATCH_NORM_ACT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const be = backend as unknown as WasmBackendLike;
      const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      const { epsilon, slope } = attrs as unknown as BatchNormActAttrs;
      const C = x.shape[x.shape.length - 1];
      const y = be.makeOutput(x.shape, 'float32');
      const mean = be.makeOutput([C], 'float32');
      const invStd = be.makeOutput([C], 'float32');
      // Views after every allocation: growing the wasm heap detaches earlier ones.
      batchNormActForward(be.typedArrayFromHeap(x), be.typedArrayFromHeap(gamma), be.typedArrayFromHeap(beta), C, epsilon, slope, be.typedArrayFromHeap(y), be.typedArrayFromHeap(mean), be.typedArrayFromHeap(invStd));
      return [y, mean, invStd];
    },
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_ACT_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const be = backend as unknown as WasmBackendLike;
      const { dy, x, y, gamma, mean, invStd } = inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invStd', TensorInfo>;
      const { slope } = attrs as unknown as BatchNormActAttrs;
      const C = x.shape[x.shape.length - 1];
      const dx = be.makeOutput(x.shape, 'float32');
      const dgamma = be.makeOutput([C], 'float32');
      const dbeta = be.makeOutput([C], 'float32');
      const v = (t: TensorInfo) => be.typedArrayFromHeap(t);
      batchNormActBackward(v(dy), v(x), v(y), v(gamma), v(mean), v(invStd), C, slope, v(dx), v(dgamma), v(dbeta));
      return [dx, dgamma, dbeta];
    },
  });
}
