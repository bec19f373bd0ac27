/**
 * Kernels that let the embedded wasm backend train a conv GAN.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel (training any conv net throws "Kernel
 * 'Conv2DBackpropFilter' not registered for backend 'wasm'"), and its Conv2DBackpropInput is a naive loop that
 * took 3.2 s of a 4.2 s training step. Conv2DBackpropInput is also what conv2dTranspose runs, so it is the
 * generator's forward pass too. Both are rewritten here as the backend's own XNNPACK Conv2D over re-arranged
 * operands:
 *
 * - dW: one dilated conv2d with the batch as the contraction axis (conv-filter-grad.ts, shared with webgpu).
 * - dx = conv2d(zero-upsample(dy, stride), rot180(W) with in/out swapped, stride 1, pad K-1-pad).
 *   Stride 2 runs as four sub-pixel convolutions (one per output phase) over dy itself, so no multiply
 *   touches an inserted zero.
 *
 * Every intermediate is a wasm tensor created and freed here; nothing leaks into the engine's tensor count.
 */
import type * as tfCore from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dInfo, type Conv2DBackpropAttrs } from './conv-filter-grad';
import { runBackendKernel, type WasmBackendLike } from './kernel-util';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

let registered = false;

export function registerWasmTrainingKernels(tf: TF): void {
  if (registered) return;
  registered = true;
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      conv2dBackpropFilter(tf, 'wasm', backend as unknown as WasmBackendLike, inputs.x as TensorInfo, inputs.dy as TensorInfo, attrs as unknown as Conv2DBackpropAttrs),
  });
  // The wasm BatchMatMul is ~7× slower with transposeA (0.42 vs 3.2 GMAC/s for the generator's dense-layer
  // gradient, zᵀ·dy). Transposing A first with the backend's own Transpose is cheap.
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({
      kernelName: 'BatchMatMul',
      backendName: 'wasm',
      setupFunc: matMul.setupFunc,
      kernelFunc: (args) => {
        const a = args.inputs.a as TensorInfo;
        if (!(args.attrs as { transposeA?: boolean }).transposeA || a.shape.length !== 2) return matMul.kernelFunc(args);
        const backend = args.backend as unknown as WasmBackendLike;
        const aT = runKernel(tf, 'Transpose', backend, { x: a }, { perm: [1, 0] });
        const out = matMul.kernelFunc({ ...args, inputs: { ...args.inputs, a: aT }, attrs: { ...args.attrs, transposeA: false } });
        backend.disposeData(aT.dataId);
        return out;
      },
    });
  }
  if (original) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: (args) => {
      const fast = conv2dBackpropInput(tf, args.backend as unknown as WasmBackendLike, args.inputs.dy as TensorInfo, args.inputs.filter as TensorInfo, args.attrs as unknown as Conv2DBackpropAttrs);
      if (fast) return fast;
      if (!original) throw new Error('Conv2DBackpropInput: unsupported configuration on wasm');
      return original.kernelFunc(args);
    },
  });
}

function runKernel(tf: TF, name: string, backend: WasmBackendLike, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
  return runBackendKernel(tf, 'wasm', name, backend, inputs, attrs);
}

function conv2d(tf: TF, backend: WasmBackendLike, x: TensorInfo, filter: TensorInfo, pad: number[][], dilation: number): TensorInfo {
  return runKernel(tf, 'Conv2D', backend, { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [dilation, dilation], dimRoundingMode: undefined });
}

/** Returns undefined for configurations it does not handle, so the caller can fall back to the stock kernel. */
function conv2dBackpropInput(tf: TF, backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, attrs: Conv2DBackpropAttrs): TensorInfo | undefined {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  const info = conv2dInfo(tf, attrs.inputShape!, filter.shape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight: H, inWidth: W, inChannels: cin, outChannels: cout, batchSize: n } = info;
  const [, oh, ow] = dy.shape;
  if (sh !== sw) return undefined;
  const s = sh;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (pt > kh - 1 || pl > kw - 1) return undefined;

  if (s === 1) {
    const wFlip = flipFilter(backend, filter, kh, kw, cin, cout, 0, 0, 1);
    const padB = H - oh + pt;
    const padR = W - ow + pl;
    if (padB < 0 || padR < 0) { backend.disposeData(wFlip.dataId); return undefined; }
    const dx = conv2d(tf, backend, dy, wFlip, [[0, 0], [kh - 1 - pt, padB], [kw - 1 - pl, padR], [0, 0]], 1);
    backend.disposeData(wFlip.dataId);
    return dx;
  }

  // Sub-pixel decomposition: output row h = s·a + ph reads dy rows a + (ph + pt - i)/s for the taps i with
  // i ≡ (ph + pt) mod s. For each phase that is an ordinary stride-1 conv of dy with a sub-filter.
  const dx = backend.makeOutput([n, H, W, cin], 'float32');
  const parts: { ph: number; pw: number; out: TensorInfo }[] = [];
  for (let ph = 0; ph < s; ph++) {
    for (let pw = 0; pw < s; pw++) {
      const rowsOut = Math.ceil((H - ph) / s);
      const colsOut = Math.ceil((W - pw) / s);
      if (rowsOut <= 0 || colsOut <= 0) continue;
      const ri = (ph + pt) % s; // first tap row of this phase
      const ci = (pw + pl) % s;
      const subKh = Math.ceil((kh - ri) / s);
      const subKw = Math.ceil((kw - ci) / s);
      if (subKh <= 0 || subKw <= 0) {
        parts.push({ ph, pw, out: zeros(backend, [n, rowsOut, colsOut, cin]) });
        continue;
      }
      // Tap i = ri + s·t reads dy row a + (ph + pt - ri)/s - t. As a correlation with the flipped sub-filter
      // (t' = subKh-1-t), the top padding is subKh-1 - (ph+pt-ri)/s.
      const shiftH = (ph + pt - ri) / s;
      const shiftW = (pw + pl - ci) / s;
      const padT = subKh - 1 - shiftH;
      const padL = subKw - 1 - shiftW;
      const padB = rowsOut - 1 + shiftH - (oh - 1);
      const padR = colsOut - 1 + shiftW - (ow - 1);
      if (padT < 0 || padL < 0) {
        for (const p of parts) backend.disposeData(p.out.dataId);
        backend.disposeData(dx.dataId);
        return undefined;
      }
      let input = dy;
      let cropB = 0;
      let cropR = 0;
      if (padB < 0 || padR < 0) {
        cropB = Math.max(0, -padB);
        cropR = Math.max(0, -padR);
        input = runKernel(tf, 'Slice', backend, { x: dy }, { begin: [0, 0, 0, 0], size: [n, oh - cropB, ow - cropR, cout] });
      }
      const sub = flipFilter(backend, filter, kh, kw, cin, cout, ri, ci, s);
      const out = conv2d(tf, backend, input, sub, [[0, 0], [padT, Math.max(0, padB)], [padL, Math.max(0, padR)], [0, 0]], 1);
      backend.disposeData(sub.dataId);
      if (input !== dy) backend.disposeData(input.dataId);
      parts.push({ ph, pw, out });
    }
  }
  // Interleave the phases into dx.
  const dxData = backend.typedArrayFromHeap(dx);
  for (const { ph, pw, out } of parts) {
    const part = backend.typedArrayFromHeap(out);
    const [, rows, cols] = out.shape;
    for (let b = 0; b < n; b++) {
      for (let a = 0; a < rows; a++) {
        const h = a * s + ph;
        for (let c = 0; c < cols; c++) {
          const w = c * s + pw;
          const src = ((b * rows + a) * cols + c) * cin;
          const dst = ((b * H + h) * W + w) * cin;
          // A subarray view per pixel costs more than copying a few channels by hand.
          if (cin < 64) for (let k = 0; k < cin; k++) dxData[dst + k] = part[src + k];
          else dxData.set(part.subarray(src, src + cin), dst);
        }
      }
    }
    backend.disposeData(out.dataId);
  }
  return dx;
}

/**
 * rot180 of the taps i = r0 + s·t, j = c0 + s·u of filter [KH,KW,Cin,Cout], with in/out channels swapped:
 * out[t', u', co, ci] = W[r0 + s·(T-1-t'), c0 + s·(U-1-u'), ci, co].
 */
function flipFilter(backend: WasmBackendLike, filter: TensorInfo, kh: number, kw: number, cin: number, cout: number, r0: number, c0: number, s: number): TensorInfo {
  const T = Math.ceil((kh - r0) / s);
  const U = Math.ceil((kw - c0) / s);
  const out = backend.makeOutput([T, U, cout, cin], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter);
  for (let t = 0; t < T; t++) {
    const i = r0 + s * (T - 1 - t);
    for (let u = 0; u < U; u++) {
      const j = c0 + s * (U - 1 - u);
      const srcBase = (i * kw + j) * cin * cout;
      const dstBase = (t * U + u) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        const srcRow = srcBase + ci * cout;
        for (let co = 0; co < cout; co++) dst[dstBase + co * cin + ci] = src[srcRow + co];
      }
    }
  }
  return out;
}

function zeros(backend: WasmBackendLike, shape: number[]): TensorInfo {
  const t = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(t).fill(0);
  return t;
}
