/**
 * NumPy .npz archives (np.savez and np.savez_compressed): a zip of .npy members. The image array is the one
 * named like x / images / arr_0, or else the only 3-D or 4-D array; labels come from y / labels when present.
 */
import { unzipSync } from 'fflate';
import { ArrayDataset, IN_MEMORY_MAX_BYTES, inferLayout, type NumericArray } from './arrays';
import { MAX_DEFLATE_RATIO, MAX_NPZ_MEMBERS, mib, readRegularFile, tooLarge } from './files';
import { decodeNpyBytes, type NpyHeader } from './npy';
import { DatasetError, unreadable, type OpenOptions } from './types';

const IMAGE_NAMES = ['x', 'images', 'image', 'imgs', 'x_train', 'train_images', 'data', 'arr_0'];
const LABEL_NAMES = ['y', 'labels', 'label', 'y_train', 'train_labels', 'targets', 'arr_1'];

export async function openNpz(file: string, options: OpenOptions = {}): Promise<ArrayDataset> {
  const archive = readRegularFile(file, 2 ** 31 - 1, 'Save the images as a .npy instead (np.save), which is read in chunks.');
  // fflate allocates each member at the size the archive declares (and inflates no further), so those sizes
  // are checked first: each member and all of them together must fit the in-memory cap, and deflate cannot
  // have produced more than ~1032 bytes per compressed byte.
  let declared = 0;
  let count = 0;
  let refusal: DatasetError | undefined;
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(archive, {
      filter: (f) => {
        if (refusal || !f.name.endsWith('.npy')) return false;
        declared += f.originalSize;
        count++;
        if (count > MAX_NPZ_MEMBERS) refusal = tooLarge(file, `${file} holds more than ${MAX_NPZ_MEMBERS} arrays. Save only the images (and labels): np.savez(path, x=images, y=labels).`);
        else if (declared > IN_MEMORY_MAX_BYTES) refusal = tooLarge(file, `${file}:${f.name} declares ${mib(f.originalSize)} (the archive's arrays ${mib(declared)} so far); .npz archives are inflated into memory, up to ${mib(IN_MEMORY_MAX_BYTES)}. Save the images as a .npy instead (np.save), which is read in chunks.`);
        else if (f.compression !== 0 && f.originalSize > f.size * MAX_DEFLATE_RATIO + 1024) refusal = unreadable(file, `${file}:${f.name} declares ${mib(f.originalSize)} from ${f.size} compressed bytes, more than deflate can produce; the archive is damaged. Re-create it with np.savez.`);
        return !refusal;
      },
    });
  } catch (err) {
    throw unreadable(file, `${file} is not a readable .npz archive (${(err as Error).message}). Re-create it with np.savez or np.savez_compressed.`);
  }
  if (refusal) throw refusal;
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
