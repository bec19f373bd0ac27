/**
 * The shapes every loader shares: one Dataset interface whatever the storage (npy, npz, IDX, image folder,
 * built-in MNIST), and one error type that carries a Problem so callers can show it without parsing text.
 */
import type { Problem } from '../problem';

export type DType =
  | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64'
  | 'float16' | 'float32' | 'float64';

export type DatasetFormat = 'npy' | 'npz' | 'idx' | 'images' | 'builtin';

export interface Dataset {
  /** Absolute path, or 'builtin:mnist'. */
  readonly source: string;
  readonly format: DatasetFormat;
  /** Storage dtype. Image folders are always 'uint8'. */
  readonly dtype: DType;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Class labels when the source has them (IDX labels file beside the images, npz "y"/"labels"). */
  readonly labels?: Uint8Array;
  /** Problems found while opening or reading (e.g. unreadable images that were skipped or zero-filled). */
  readonly problems: Problem[];
  /** Copies the given samples, NHWC, raw unscaled values, into out (length indices.length*h*w*c). */
  read(indices: ArrayLike<number>, out: Float32Array): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Image folders are resized and center-cropped to this size. Array data is never resized (lint says so). */
  imageSize?: number;
  /** Image folders are converted to this many channels (1 or 3). */
  channels?: number;
  /** Use only the first N samples. */
  limit?: number;
  /** Folder holding the built-in MNIST files; found next to the bundle or the sources when absent. */
  builtinDir?: string;
  signal?: AbortSignal;
  /** .npy arrays larger than this are read from disk per batch. Tests lower it to exercise the streaming path. */
  inMemoryMaxBytes?: number;
  /** Image folders: the native decoder when installed ('auto', the default), or pure JS ('js'). */
  decoder?: 'auto' | 'js';
  /** Image folders: decode threads (default: the cores left over by one training thread, at least 1). */
  decodeWorkers?: number;
  /**
   * Image folders: where the prepared cache lives (`dir`, checked for links from `root` down), and whether this
   * opening may write it (training and `prepare` do; lint only reads one). Absent: no prepared cache.
   */
  prepared?: { dir: string; root: string; write: boolean };
}

/** Thrown when a dataset cannot be used at all; `problem` is ready to show as a diagnostic. */
export class DatasetError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'DatasetError';
  }
}

export function unreadable(file: string, message: string): DatasetError {
  return new DatasetError({ code: 'data/unreadable', severity: 'error', message, file });
}

export const INTEGER_DTYPES: ReadonlySet<DType> = new Set(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'int64', 'uint64']);

export function isIntegerDType(d: DType): boolean {
  return INTEGER_DTYPES.has(d);
}

export function bytesPerElement(d: DType): number {
  switch (d) {
    case 'uint8': case 'int8': return 1;
    case 'uint16': case 'int16': case 'float16': return 2;
    case 'uint32': case 'int32': case 'float32': return 4;
    default: return 8;
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Image sizes the model builders support (schema: model.imageSize). */
export { SUPPORTED_IMAGE_SIZES } from '../model/spec';
