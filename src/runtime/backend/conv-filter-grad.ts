/**
 * Conv2DBackpropFilter as one dilated Conv2D of re-arranged operands, on any backend that has Conv2D, Transpose
 * and Slice kernels (wasm and webgpu register it: wasm-kernels.ts, webgpu-kernels.ts):
 *
 *   dW = conv2d(transpose(x → [Cin,H,W,N]), transpose(dy → [OH,OW,N,Cout]), stride 1, dilation = stride)
 *
 * gives [Cin,KH,KW,Cout], transposed to [KH,KW,Cin,Cout]. The batch becomes the contraction axis, so the
 * backend's own convolution (XNNPACK on wasm, the tiled matmul shader on webgpu) does the work.
 * - wasm 4.22 has no Conv2DBackpropFilter at all.
 * - webgpu 4.22 has a naive one: a thread per filter element looping over batch × output pixels with no data
 *   reuse. On lavapipe this composite was 2.8–3.4× faster for every layer of the default and the 64×64 models
 *   (docs/gpu.md); on a hardware GPU it is not measured.
 *
 * Every intermediate is a backend tensor created and freed here; nothing leaks into the engine's tensor count.
 */
import type * as tfCore from '@tensorflow/tfjs-core';
import { runBackendKernel, type BackendLike } from './kernel-util';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

export interface Conv2DBackpropAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | number[][];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

export function conv2dInfo(tf: TF, xShape: number[], filterShape: number[], attrs: Conv2DBackpropAttrs) {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return tf.backend_util.computeConv2DInfo(xShape as any, filterShape as any, attrs.strides, 1, attrs.pad as any, attrs.dimRoundingMode, false, dataFormat);
}

/** True when conv2dBackpropFilter below handles these attributes (NHWC, equal strides). */
export function filterGradSupported(attrs: Conv2DBackpropAttrs): boolean {
  const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  return (attrs.dataFormat ?? 'NHWC') === 'NHWC' && sh === sw;
}

export function conv2dBackpropFilter(tf: TF, backendName: string, backend: BackendLike, x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropAttrs): TensorInfo {
  if (!filterGradSupported(attrs)) throw new Error(`Conv2DBackpropFilter on ${backendName} supports NHWC with equal strides only`);
  const run = (name: string, inputs: Record<string, TensorInfo>, a: Record<string, unknown>) => runBackendKernel(tf, backendName, name, backend, inputs, a);
  const info = conv2dInfo(tf, x.shape, attrs.filterShape!, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: s, inHeight, inWidth, outHeight, outWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Bottom/right padding so the dilated conv yields exactly kh × kw; negative means rows the forward conv never read.
  const bottom = kh + (outHeight - 1) * s - inHeight - top;
  const right = kw + (outWidth - 1) * s - inWidth - left;
  let xUsed = x;
  if (bottom < 0 || right < 0) {
    xUsed = run('Slice', { x }, { begin: [0, 0, 0, 0], size: [x.shape[0], inHeight + Math.min(0, bottom), inWidth + Math.min(0, right), x.shape[3]] });
  }
  const xT = run('Transpose', { x: xUsed }, { perm: [3, 1, 2, 0] }); // [Cin, H, W, N]
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Cout]
  const pad = [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]];
  const out = run('Conv2D', { x: xT, filter: dyT }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [s, s], dimRoundingMode: undefined }); // [Cin, KH, KW, Cout]
  const dW = run('Transpose', { x: out }, { perm: [1, 2, 0, 3] });
  for (const t of [xT, dyT, out]) backend.disposeData(t.dataId);
  if (xUsed !== x) backend.disposeData(xUsed.dataId);
  return dW;
}
