/**
 * `dcgan-studio prepare CONFIG`: decodes the config's image folder once, on every core, into its prepared cache
 * (src/runtime/data/preparedCache.ts), so that training reads batches at disk speed from its first epoch.
 * Exit 0: prepared (or already there); 1: the cache could not be written; 2: could not run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigFile, resolveDataPath } from '../runtime/config/load';
import { hasErrors } from '../runtime/problem';
import { openDataset } from '../runtime/data/dataset';
import { ImageFolderDataset } from '../runtime/data/imageFolder';
import { preparedLocation } from '../runtime/data/lint';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { bold, formatProblemBlock, green, red } from './output';

export async function runPrepare(args: ParsedArgs, io: Io): Promise<number> {
  const json = Boolean(args.flags.json);
  const given = args.positionals[0];
  const abs = path.resolve(given);
  if (!fs.existsSync(abs)) throw new UsageError(`${given}: no such file (${abs}). Pass the dcgan.json whose image folder to prepare.`, 'prepare');
  const loaded = loadConfigFile(abs);
  if (!loaded.config || hasErrors(loaded.problems)) {
    for (const p of loaded.problems) io.err.write(formatProblemBlock(io.err, p));
    io.err.write(`${red(io.err, 'Cannot prepare')}: fix ${abs} first.\n`);
    return 2;
  }
  const config = loaded.config;
  const dataPath = resolveDataPath(config, loaded.baseDir);
  if (dataPath.startsWith('builtin:') || !fs.existsSync(dataPath) || !fs.statSync(dataPath).isDirectory()) {
    throw new UsageError(`data.path in ${abs} is ${dataPath}, not a folder of images; only image folders are prepared (arrays are read as they are).`, 'prepare');
  }
  const where = preparedLocation(config, loaded.baseDir, dataPath, true);
  if (!where || 'code' in where) {
    io.err.write(`${red(io.err, 'Not prepared')}: ${where ? where.message : `data.cache is false in ${abs}.`}\n`);
    return 2;
  }
  const started = performance.now();
  const ds = await openDataset(dataPath, { imageSize: config.model.imageSize, channels: config.model.channels, limit: config.data.limit, prepared: where, decodeWorkers: os.availableParallelism?.() ?? os.cpus().length });
  if (!(ds instanceof ImageFolderDataset)) throw new Error(`${dataPath} did not open as an image folder`);
  try {
    let shown = -1;
    const file = await ds.prepare((f) => {
      const pct = Math.floor(f * 20) * 5;
      if (!json && pct > shown) io.err.write(`prepare: ${(shown = pct)}% of ${ds.count.toLocaleString('en-US')} images\n`);
    });
    const seconds = (performance.now() - started) / 1000;
    const unreadable = ds.problems.filter((p) => p.code === 'data/unreadable');
    if (json) writeJson(io, { file, count: ds.count, height: ds.height, width: ds.width, channels: ds.channels, decoder: ds.decoder, seconds, problems: ds.problems });
    else {
      for (const p of unreadable) io.out.write(formatProblemBlock(io.out, p));
      io.out.write(`${green(io.out, 'Prepared')} ${ds.count.toLocaleString('en-US')} images as ${ds.height}×${ds.width}×${ds.channels} in ${seconds.toFixed(1)} s (${ds.decoder}): ${bold(io.out, file)}\n`);
    }
    return 0;
  } catch (err) {
    io.err.write(`${red(io.err, 'Not prepared')}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ds.close();
  }
}
