/**
 * Kernels that tfjs-backend-webgpu 4.22 gets wrong for training in Node (tested against the cpu backend in
 * test/unit/backend-webgpu.test.ts):
 *
 * - AddN binds every input as its own storage buffer. The trainer's gradient norm sums one term per variable
 *   (11 for the default generator), which exceeds WebGPU's default maxStorageBuffersPerShaderStage (8):
 *   "The number of storage buffers (11) in the Compute stage exceeds the maximum per-stage limit (8)", and the
 *   result is silently garbage. Here it sums in chunks that fit.
 * - Conv2DBackpropFilter is a naive shader (a thread per filter element, no data reuse), 3× slower on lavapipe
 *   than the dilated-conv composite in conv-filter-grad.ts that wasm uses too; it is kept for what the composite
 *   does not handle (NCHW, unequal strides).
 *
 * Every intermediate is a backend tensor created and freed here; nothing leaks into the engine's tensor count.
 */
import type * as tfCore from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, filterGradSupported, type Conv2DBackpropAttrs } from './conv-filter-grad';
import type { BackendLike } from './kernel-util';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

/** Inputs per AddN dispatch: one storage buffer is the output; WebGPU guarantees 8 per shader stage. */
export const ADDN_MAX_INPUTS = 7;

const registered = new WeakSet<object>();

export function registerWebgpuTrainingKernels(tf: TF): void {
  // Once per kernel registry (tfjs keeps one per process/thread).
  const addN = tf.getKernel('AddN', 'webgpu');
  if (!addN || registered.has(addN)) return;
  tf.unregisterKernel('AddN', 'webgpu');
  const chunked: tfCore.KernelConfig = {
    kernelName: 'AddN',
    backendName: 'webgpu',
    setupFunc: addN.setupFunc,
    disposeFunc: addN.disposeFunc,
    kernelFunc: (args) => {
      const backend = args.backend as unknown as BackendLike;
      let terms = args.inputs as unknown as TensorInfo[];
      const owned = new Set<TensorInfo>();
      while (terms.length > ADDN_MAX_INPUTS) {
        const next: TensorInfo[] = [];
        for (let i = 0; i < terms.length; i += ADDN_MAX_INPUTS) {
          const chunk = terms.slice(i, i + ADDN_MAX_INPUTS);
          if (chunk.length === 1) {
            next.push(chunk[0]);
            continue;
          }
          const sum = addN.kernelFunc({ ...args, inputs: chunk as unknown as tfCore.NamedTensorInfoMap }) as TensorInfo;
          for (const t of chunk) if (owned.delete(t)) backend.disposeData(t.dataId);
          owned.add(sum);
          next.push(sum);
        }
        terms = next;
      }
      const out = addN.kernelFunc({ ...args, inputs: terms as unknown as tfCore.NamedTensorInfoMap }) as TensorInfo;
      for (const t of owned) backend.disposeData(t.dataId);
      return out;
    },
  };
  tf.registerKernel(chunked);
  registered.add(tf.getKernel('AddN', 'webgpu')!);

  const naiveFilterGrad = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (naiveFilterGrad) tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as Conv2DBackpropAttrs;
      if (!filterGradSupported(attrs) && naiveFilterGrad) return naiveFilterGrad.kernelFunc(args);
      return conv2dBackpropFilter(tf, 'webgpu', args.backend as unknown as BackendLike, args.inputs.x as TensorInfo, args.inputs.dy as TensorInfo, attrs);
    },
  });
}
