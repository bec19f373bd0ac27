/**
 * What the kernels registered in this folder (wasm-*.ts, webgpu-kernels.ts, conv-filter-grad.ts) need from a
 * tfjs backend, and the one way they call a backend's kernels directly. tfjs-backend-wasm does not export its
 * BackendWasm type from the package root, so the slices used are declared here once.
 */
import type * as tfCore from '@tensorflow/tfjs-core';

type TF = typeof tfCore;
type TensorInfo = tfCore.TensorInfo;

/** Any backend: freeing an intermediate. */
export interface BackendLike {
  disposeData(dataId: object): boolean;
}

/** The wasm backend: outputs allocated on its heap, read and written in place, shared by reference count. */
export interface WasmBackendLike extends BackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  incRef(dataId: object): void;
}

/** Runs one of `backendName`'s kernels directly (no tape, no engine bookkeeping): for kernels built of kernels. */
export function runBackendKernel(tf: TF, backendName: string, name: string, backend: BackendLike, inputs: Record<string, TensorInfo | undefined>, attrs: Record<string, unknown>): TensorInfo {
  const kernel = tf.getKernel(name, backendName);
  if (!kernel) throw new Error(`${backendName} kernel ${name} is missing`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return kernel.kernelFunc({ inputs: inputs as any, attrs: attrs as any, backend: backend as any }) as TensorInfo;
}
