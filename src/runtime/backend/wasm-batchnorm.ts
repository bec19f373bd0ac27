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
 * activations (and the wasm Sum over leading axes transposes its input first); here it is five or six passes
 * forward and eight or nine backward, through the backend's fastest kernels (see Ops below).
 *
 * The model calls these through batchNormAct in src/runtime/model/layers.ts, which falls back to the composed ops on
 * backends that do not register them.
 */
import type * as tfCore from '@tensorflow/tfjs-core';
import { runBackendKernel, type WasmBackendLike } from './kernel-util';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

export const BATCH_NORM_ACT = 'DcganBatchNormAct';
export const BATCH_NORM_ACT_GRAD = 'DcganBatchNormActGrad';

export interface BatchNormActAttrs {
  epsilon: number;
  slope: number;
}

/**
 * The work is done by the backend's own vectorised kernels, chosen by measurement (CPU ns per element on this
 * machine, see docs/wasm-performance.md): per-channel sums as an average pool (0.7; the wasm Sum over leading
 * axes transposes first, 7; a [1, M]·[M, C] BatchMatMul packs [M, C] as weights, 24), scale and shift as a 1×1 depthwise convolution with bias
 * (0.9; broadcast Multiply + Add, 3), LeakyReLU as Prelu (0.4; the wasm LeakyRelu, 7), its derivative as Step
 * (0.7; Greater + Select, 8+). A plain JavaScript loop over the heap measured 20 ns per element per pass.
 */
class Ops {
  readonly temps: TensorInfo[] = [];
  constructor(private readonly tf: TF, readonly be: WasmBackendLike) {}

  run(name: string, inputs: Record<string, TensorInfo | undefined>, attrs: Record<string, unknown> = {}): TensorInfo {
    const out = runBackendKernel(this.tf, 'wasm', name, this.be, inputs, attrs);
    this.temps.push(out);
    return out;
  }

  filled(shape: number[], values: ArrayLike<number> | number): TensorInfo {
    const t = this.be.makeOutput(shape, 'float32');
    const v = this.be.typedArrayFromHeap(t);
    if (typeof values === 'number') v.fill(values);
    else v.set(values);
    this.temps.push(t);
    return t;
  }

  read(t: TensorInfo): Float32Array {
    return this.be.typedArrayFromHeap(t).slice();
  }

  /**
   * Per-channel sums of t (shape: the [.., C] shape it stands for), as an average pool over each image (or over
   * all rows) times the window, then a sum over the few pooled rows here.
   */
  channelSums(t: TensorInfo, shape: number[]): Float32Array {
    const C = shape[shape.length - 1];
    const M = shape.reduce((a, b) => a * b, 1) / C;
    if (M === 1) return this.read(t);
    const [rows, h, w] = shape.length === 4 && shape[1] * shape[2] > 1 ? [shape[0], shape[1], shape[2]] : [1, 1, M];
    const pooled = this.read(this.run('AvgPool', { x: alias(t, [rows, h, w, C]) }, { filterSize: [h, w], strides: [1, 1], pad: 'valid', dimRoundingMode: undefined }));
    const sums = new Float32Array(C);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) sums[c] += pooled[r * C + c] * h * w;
    return sums;
  }

  /** t · scale + bias per channel, then ReLU when relu: a 1×1 depthwise convolution. */
  scaleShift(t: TensorInfo, M: number, C: number, scale: ArrayLike<number> | number, bias: ArrayLike<number> | undefined, relu = false): TensorInfo {
    const filter = this.filled([1, 1, C, 1], scale);
    return this.run('FusedDepthwiseConv2D', { x: alias(t, [1, M, 1, C]), filter, bias: bias ? this.filled([C], bias) : undefined }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation: relu ? 'relu' : 'linear', leakyreluAlpha: 0,
    });
  }

  /** Frees every temporary except those kept. */
  release(keep: TensorInfo[]): void {
    for (const t of this.temps) if (!keep.includes(t)) this.be.disposeData(t.dataId);
  }
}

/** The same buffer under another shape (as the backend's Reshape does, without touching the refcount). */
function alias(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function dims(x: TensorInfo): { M: number; C: number } {
  const C = x.shape[x.shape.length - 1];
  return { M: x.shape.reduce((a, b) => a * b, 1) / C, C };
}

function forward(tf: TF, be: WasmBackendLike, x: TensorInfo, gammaT: TensorInfo, betaT: TensorInfo, { epsilon, slope }: BatchNormActAttrs): TensorInfo[] {
  const ops = new Ops(tf, be);
  const { M, C } = dims(x);
  const gamma = be.typedArrayFromHeap(gammaT).slice();
  const beta = be.typedArrayFromHeap(betaT).slice();
  const sum = ops.channelSums(x, x.shape);
  const mean = new Float32Array(C);
  for (let c = 0; c < C; c++) mean[c] = sum[c] / M;
  // Two passes (centre, then square), so that a large mean does not cancel the variance away.
  const xc = ops.scaleShift(x, M, C, 1, mean.map((m) => -m));
  const sumSq = ops.channelSums(ops.run('Square', { x: xc }), x.shape);
  const invStd = new Float32Array(C);
  const scale = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    invStd[c] = 1 / Math.sqrt(sumSq[c] / M + epsilon);
    scale[c] = gamma[c] * invStd[c];
  }
  let y = ops.scaleShift(xc, M, C, scale, beta, slope === 0);
  if (slope !== 0 && slope !== 1) y = ops.run('Prelu', { x: y, alpha: ops.filled([C], slope) });
  const meanOut = ops.filled([C], mean);
  const invStdOut = ops.filled([C], invStd);
  ops.release([y, meanOut, invStdOut]);
  return [alias(y, x.shape), meanOut, invStdOut];
}

function backward(tf: TF, be: WasmBackendLike, t: Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invStd', TensorInfo>, slope: number): TensorInfo[] {
  const ops = new Ops(tf, be);
  const { M, C } = dims(t.x);
  const gamma = be.typedArrayFromHeap(t.gamma).slice();
  const mean = be.typedArrayFromHeap(t.mean).slice();
  const invStd = be.typedArrayFromHeap(t.invStd).slice();
  // dz = dy · act'(z); act'(z) is 1 where y > 0, slope elsewhere (Step with alpha = slope).
  const dz = slope === 1 ? alias(t.dy, [M, C]) : ops.run('Multiply', { a: alias(t.dy, [M, C]), b: ops.run('Step', { x: alias(t.y, [M, C]) }, { alpha: slope }) });
  const sumDz = ops.channelSums(dz, t.x.shape);
  const xc = ops.scaleShift(t.x, M, C, 1, mean.map((m) => -m));
  const sumDzXc = ops.channelSums(ops.run('Multiply', { a: alias(dz, [M, C]), b: alias(xc, [M, C]) }), t.x.shape);
  // dx = γ·σ⁻¹·(dz − mean(dz) − x̂·mean(dz·x̂)) = a·dz + b·(x − μ) + k per channel.
  const a = new Float32Array(C);
  const b = new Float32Array(C);
  const k = new Float32Array(C);
  const dgamma = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const inv = invStd[c];
    dgamma[c] = sumDzXc[c] * inv;
    a[c] = gamma[c] * inv;
    b[c] = (-gamma[c] * inv * inv * dgamma[c]) / M;
    k[c] = (-gamma[c] * inv * sumDz[c]) / M;
  }
  const dx = ops.run('Add', { a: alias(ops.scaleShift(dz, M, C, a, k), [M, C]), b: alias(ops.scaleShift(xc, M, C, b, undefined), [M, C]) });
  const dgammaOut = ops.filled([C], dgamma);
  const dbetaOut = ops.filled([C], sumDz);
  ops.release([dx, dgammaOut, dbetaOut]);
  return [alias(dx, t.x.shape), dgammaOut, dbetaOut];
}

let registered = false;

export function registerWasmBatchNormKernels(tf: TF): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: BATCH_NORM_ACT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      return forward(tf, backend as unknown as WasmBackendLike, x, gamma, beta, attrs as unknown as BatchNormActAttrs);
    },
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_ACT_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      backward(tf, backend as unknown as WasmBackendLike, inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invStd', TensorInfo>, (attrs as unknown as BatchNormActAttrs).slope),
  });
}
