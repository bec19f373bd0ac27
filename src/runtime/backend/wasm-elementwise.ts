/**
 * Cheaper wasm kernels for three elementwise steps a GAN takes many times per iteration (measured CPU ns per
 * element on this machine, docs/wasm-performance.md):
 *
 * - LeakyRelu runs as the backend's XNNPACK Prelu with the slope repeated per channel (0.4, against 7 for the
 *   stock LeakyRelu, a scalar loop).
 * - LeakyRelu's gradient, where(x > 0, dy, α·dy), costs a Greater (7) and a Select over the activations; on wasm
 *   it is dy · step(x, α) instead (Step 0.7, one Multiply). Same values: step(x, α) is 1 for x > 0, α elsewhere.
 * - Identity shares its input's buffer (a reference count), as the cpu backend's does, instead of copying it.
 */
import type * as tfCore from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-util';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

let registered = false;

export function registerWasmElementwiseKernels(tf: TF): void {
  if (registered) return;
  registered = true;
  const prelu = tf.getKernel('Prelu', 'wasm');
  const leaky = tf.getKernel('LeakyRelu', 'wasm');
  if (prelu && leaky) {
    tf.unregisterKernel('LeakyRelu', 'wasm');
    tf.registerKernel({
      kernelName: 'LeakyRelu',
      backendName: 'wasm',
      setupFunc: leaky.setupFunc,
      kernelFunc: (args) => {
        const x = args.inputs.x as TensorInfo;
        if (x.dtype !== 'float32' || x.shape.length === 0) return leaky.kernelFunc(args);
        const be = args.backend as unknown as WasmBackendLike;
        const C = x.shape[x.shape.length - 1];
        const alpha = be.makeOutput([C], 'float32');
        be.typedArrayFromHeap(alpha).fill((args.attrs as { alpha: number }).alpha);
        const out = prelu.kernelFunc({ inputs: { x, alpha }, attrs: {}, backend: args.backend }) as TensorInfo;
        be.disposeData(alpha.dataId);
        return out;
      },
    });
  }
  const identity = tf.getKernel('Identity', 'wasm');
  if (identity) {
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel({
      kernelName: 'Identity',
      backendName: 'wasm',
      kernelFunc: (args) => {
        const x = args.inputs.x as TensorInfo;
        if (x.dtype === 'string') return identity.kernelFunc(args);
        (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      },
    });
  }
  // The gradient registry is shared by every backend of this tfjs-core; only wasm takes the Step form, the
  // others keep tfjs' own (every backend has Greater and Select; not every one has Step).
  const stock = tf.getGradient('LeakyRelu');
  if (stock) {
    tf.registerGradient({
      kernelName: 'LeakyRelu',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        if (tf.getBackend() !== 'wasm') return stock.gradFunc(dy, saved, attrs);
        const [x] = saved;
        const alpha = (attrs as unknown as { alpha: number }).alpha;
        return { x: () => tf.mul(dy as tfCore.Tensor, tf.step(x, alpha)) };
      },
    });
  }
}
