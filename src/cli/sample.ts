/** `dcgan-studio sample`: draw a grid of images from a checkpoint's generator and write it as a PNG. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend, type BackendPreference } from '../runtime/backend/select';
import { backendHeadline } from '../runtime/backend/adapter-label';
import { sampleFromCheckpoint } from '../runtime/train/checkpoint';
import { writePng } from '../runtime/train/grid';
import { userOutputRoot } from '../runtime/outputFiles';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { dim } from './output';
import { checkpointArg } from './checkpointArg';


export async function runSample(args: ParsedArgs, io: Io): Promise<number> {
  if (args.flags.checkpoint === undefined) throw new UsageError('--checkpoint DIR is required: the checkpoint (or run folder) to sample from.', 'sample');
  const checkpoint = checkpointArg(String(args.flags.checkpoint), 'sample');
  const count = Number(args.flags.count ?? 64);
  if (count > 1024) throw new UsageError(`--count ${count} is too many for one grid; use at most 1024.`, 'sample');
  const out = path.resolve(String(args.flags.out ?? `samples-${path.basename(checkpoint.dir)}.png`));
  if (!out.toLowerCase().endsWith('.png')) throw new UsageError(`--out ${args.flags.out}: the grid is written as PNG, so the file name must end in .png.`, 'sample');
  const outDir = path.dirname(out);
  if (!fs.existsSync(outDir)) throw new UsageError(`--out ${args.flags.out}: the folder ${outDir} does not exist.`, 'sample');
  const seed = args.flags.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args.flags.seed);

  const backend = await selectBackend((args.flags.backend as BackendPreference | undefined) ?? 'auto', {});
  const t0 = performance.now();
  const grid = await sampleFromCheckpoint(checkpoint.dir, count, backend, seed);
  backend.release?.();
  writePng(userOutputRoot(out), out, grid);
  const ms = Math.round(performance.now() - t0);
  if (args.flags.json) {
    writeJson(io, { file: out, checkpoint: checkpoint.dir, step: checkpoint.step, count, seed, width: grid.width, height: grid.height, backend: backend.info, ms });
  } else {
    io.out.write(`Wrote ${count} samples (${grid.width}×${grid.height} px) from step ${checkpoint.step} to ${out}\n`);
    io.out.write(dim(io.out, `  checkpoint ${checkpoint.dir}, seed ${seed}, ${backendHeadline(backend.info)} backend, ${ms} ms\n`));
  }
  return 0;
}
