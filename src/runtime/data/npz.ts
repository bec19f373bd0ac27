/**
 * NumPy .npz archives (np.savez and np.savez_compressed): a zip of .npy members. The image array is the one
 * named like x / images / arr_0, or else the only 3-D or 4-D array; labels come from y / labels when present.
 */
import * as fs from 'node:fs';
import { unzipSync } from 'fflate';
import { ArrayDataset, inferLayout, type NumericArray } from './arrays';
import { decodeNpyBytes, type NpyHeader } from './npy';
import { unreadable, type OpenOptions } from './types';

const IMAGE_NAMES = ['x', 'images', 'image', 'imgs', 'x_train', 'train_images', 'data', 'arr_0'];
const LABEL_NAMES = ['y', 'labels', 'label', 'y_train', 'train_labels', 'targets', 'arr_1'];

export async function openNpz(file: string, options: OpenOptions = {}): Promise<ArrayDataset> {
  const size = fs.statSync(file).size;
  if (size >= 2 ** 31) {
    throw unreadable(file, `${file} is ${(size / 2 ** 30).toFixed(1)} GiB; .npz archives are read into memory and must stay under 2 GiB. Save the images as a .npy instead (np.save), which is read in chunks.`);
  }
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(fs.readFileSync(file), { filter: (f) => f.name.endsWith('.npy') });
  } catch (err) {
    throw unreadable(file, `${file} is not a readable .npz archive (${(err as Error).message}). Re-create it with np.savez or np.savez_compressed.`);
  }
  const arrays = new Map<string, { header: NpyHeader; data: NumericArray }>();
  for (const [name, bytes] of Object.entries(members)) arrays.set(name.replace(/\.npy$/, ''), decodeNpyBytes(bytes, `${file}:${name}`));
  if (arrays.size === 0) throw unreadable(file, `${file} holds no arrays. Save the images with np.savez(path, x=images).`);

  const imageLike = [...arrays].filter(([, a]) => a.header.shape.length === 3 || a.header.shape.length === 4);
  const byName = IMAGE_NAMES.map((n) => [...arrays].find(([k]) => k.toLowerCase() === n)).find((e) => e && e[1].header.shape.length >= 2);
  const chosen = byName ?? (imageLike.length === 1 ? imageLike[0] : undefined);
  if (!chosen) {
    const list = [...arrays].map(([k, a]) => `${k} (${a.header.shape.join('×')})`).join(', ');
    throw unreadable(file, `${file}: cannot tell which array holds the images among ${list}. Name it "x" or "images" (np.savez(path, x=images)).`);
  }
  const [name, image] = chosen;
  const layout = inferLayout(image.header.shape, image.header.fortran, `${file}:${name}`);
  let labels: Uint8Array | undefined;
  const labelEntry = LABEL_NAMES.map((n) => [...arrays].find(([k]) => k.toLowerCase() === n && k !== name)).find((e) => e && e[1].header.shape.length === 1 && e[1].header.shape[0] === layout.count);
  if (labelEntry) labels = Uint8Array.from(labelEntry[1].data as ArrayLike<number>);
  return new ArrayDataset({ source: file, format: 'npz', dtype: image.header.dtype, layout, storage: { kind: 'memory', data: image.data }, labels, limit: options.limit });
}
