/**
 * The one entry point to training data: picks the loader from the path (builtin:, folder, .npy, .npz, IDX)
 * and returns a Dataset that serves NHWC samples, raw and unscaled, one batch at a time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openBuiltin } from './builtin';
import { openRegular, readAt } from './files';
import { openIdx } from './idx';
import { openImageFolder } from './imageFolder';
import { openNpy } from './npy';
import { openNpz } from './npz';
import { DatasetError, throwIfAborted, type Dataset, type OpenOptions } from './types';

export * from './types';

/** Opens a dataset. Throws DatasetError (with .problem) when it is missing, unreadable, corrupt or unsupported. */
export async function openDataset(source: string, options: OpenOptions = {}): Promise<Dataset> {
  throwIfAborted(options.signal);
  if (source.startsWith('builtin:')) return openBuiltin(source, options);
  const file = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new DatasetError({ code: 'config/data-path-missing', severity: 'error', file, message: `${file} does not exist. Check the path (relative paths are resolved against the config file's folder).` });
  }
  if (stat.isDirectory()) return openImageFolder(file, options);
  if (!stat.isFile()) {
    throw new DatasetError({ code: 'data/unreadable', severity: 'error', file, message: `${file} is not a regular file or a folder (a device, a pipe or a socket); datasets are read only from regular files. Point data.path at a .npy/.npz/IDX file or a folder of images.` });
  }
  const lower = file.toLowerCase();
  if (lower.endsWith('.npy')) return openNpy(file, options);
  if (lower.endsWith('.npz')) return openNpz(file, options);
  if (/idx\d/.test(path.basename(lower)) || lower.endsWith('.idx') || lower.endsWith('.gz') || looksLikeIdx(file)) return openIdx(file, options);
  throw new DatasetError({
    code: 'data/unreadable', severity: 'error', file,
    message: `${file}: DCGAN Studio cannot read this kind of file. Use a .npy or .npz array, an IDX file (MNIST format, optionally .gz), or a folder of PNG/JPEG images.`,
  });
}

/** IDX files often come without an extension (train-images-idx3-ubyte); recognise the magic instead. */
function looksLikeIdx(file: string): boolean {
  const { fd } = openRegular(file);
  let head: Uint8Array;
  try {
    head = readAt(fd, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.length < 4) return false;
  return head[0] === 0 && head[1] === 0 && [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e].includes(head[2]) && head[3] >= 1 && head[3] <= 4;
}

/**
 * Reads samples and applies the scaling in place: what the discriminator is fed (fed = raw * scale + offset).
 * Conversion happens here, per batch, so the dataset itself stays in its compact storage dtype.
 */
export async function readScaled(ds: Dataset, indices: ArrayLike<number>, out: Float32Array, scaling: { scale: number; offset: number }): Promise<void> {
  await ds.read(indices, out);
  const { scale, offset } = scaling;
  if (scale === 1 && offset === 0) return;
  const n = indices.length * ds.height * ds.width * ds.channels;
  for (let i = 0; i < n; i++) out[i] = out[i] * scale + offset;
}
