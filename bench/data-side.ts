/**
 * DCGAN Studio's side of bench/data.ts, one configuration per process (so peak RSS is its own): the trainer's own
 * BatchStream over an image folder, either decoding (`cold`: no prepared cache, WORKERS decode threads, 0 = on this
 * thread) or reading the prepared cache (`prepared`, made first with every core if it is missing).
 *
 * usage: node --import tsx bench/data-side.ts cold|prepared|cold-js FOLDER WORKERS BATCHES [SIZE]
 * (cold-js: decoding with the pure-JS decoders, as in the VSIX)
 * Prints "first-batch" when the first batch is in hand, then one JSON line.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchStream } from '../src/runtime/data/batches';
import { openDataset } from '../src/runtime/data/dataset';
import { defaultCacheDir, ImageFolderDataset } from '../src/runtime/data/imageFolder';
import { Rng } from '../src/runtime/train/rng';
import type { TF } from '../src/runtime/backend/select';

async function main(): Promise<void> {
  const [mode, folder, workersArg, batchesArg, sizeArg] = process.argv.slice(2);
  const workers = Number(workersArg);
  const batches = Number(batchesArg);
  const size = Number(sizeArg ?? 64);
  const dir = path.resolve(folder);
  // As a config in .bench/ would have it: .bench/.dcgan-cache.
  const benchDir = path.resolve(__dirname, '..', '.bench');
  const prepared = mode === 'prepared' ? { dir: defaultCacheDir(benchDir), root: benchDir, write: true } : undefined;
  let prepareSeconds: number | undefined;
  if (prepared) {
    const ds = (await openDataset(dir, { imageSize: size, channels: 3, prepared, decodeWorkers: os.availableParallelism() })) as ImageFolderDataset;
    if (!ds.preparedCacheFile) {
      const t = performance.now();
      await ds.prepare();
      prepareSeconds = (performance.now() - t) / 1000;
    }
    await ds.close();
  }
  const decoder = mode === 'cold-js' ? 'js' : 'auto';
  const ds = (await openDataset(dir, { imageSize: size, channels: 3, decodeWorkers: workers, decoder, prepared: prepared && { ...prepared, write: false } })) as ImageFolderDataset;
  if (mode === 'prepared' && !ds.preparedCacheFile) throw new Error('no prepared cache after prepare()');
  // The trainer's BatchStream; only its tensor is stood in for (this measures the data path, not tfjs).
  const tf = { tensor4d: () => ({ dispose() {} }) } as unknown as TF;
  const stream = new BatchStream(tf, ds, 64, { scale: 1 / 127.5, offset: -1 }, new Rng(1));
  await stream.next();
  process.stdout.write('first-batch\n');
  const t = performance.now();
  for (let i = 1; i < batches; i++) await stream.next();
  const seconds = (performance.now() - t) / 1000;
  const result = {
    imagesPerSecond: ((batches - 1) * 64) / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, count: ds.count,
    decoder: ds.decoder, servedFrom: ds.servedFrom, ...(prepareSeconds !== undefined ? { prepareImagesPerSecond: ds.count / prepareSeconds } : {}),
  };
  await ds.close();
  // Written before exiting: a pipe's writes are asynchronous, and process.exit would drop this line.
  await new Promise((resolve) => process.stdout.write(JSON.stringify(result) + '\n', resolve));
}

void main().then(() => process.exit(0), (err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
