import * as fs from 'node:fs';
import * as path from 'node:path';
import { safeBaseName } from '../text';

/**
 * The one place run folders are named: `<output.dir>/<config name>-<yyyy-mm-dd-hh-mm-ss>` (the bare stamp for a
 * plain dcgan.json), with "-2", "-3"… when a run of the same config started in the same second. The extension
 * names its runs here too, before the worker starts, so that the dashboard knows the folder from the first moment.
 */
export function newRunDir(outputDir: string, configFile?: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  // The config's file name may come from a cloned repository: only a safe base name of it names the folder.
  const name = configFile ? safeBaseName(path.basename(configFile).replace(/(\.dcgan)?\.json$/, '').replace(/^dcgan$/, ''), '') : '';
  const base = name ? `${name}-${stamp}` : stamp;
  let dir = path.join(outputDir, base);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.join(outputDir, `${base}-${i}`);
  return dir;
}

/**
 * A sweep folder's name (src/runtime/sweep): "sweep-faces-2026-12-05-10-00-00", or "sweep-<time>" for a plain
 * dcgan.json. Only a safe base name of the config's name, so the name is safe as a path and in sbatch.
 */
export function newSweepId(configFile?: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  const name = configFile ? safeBaseName(path.basename(configFile).replace(/(\.dcgan)?\.json$/, '').replace(/^dcgan$/, ''), '') : '';
  return name ? `sweep-${name}-${stamp}` : `sweep-${stamp}`;
}

/**
 * The run folder of one run of a sweep: its cell and seed, fixed when the sweep is planned, so that a task started by
 * a scheduler (and its resume) finds the same folder.
 */
export function sweepRunName(cellIndex: number, seed: number): string {
  return `cell-${String(cellIndex + 1).padStart(2, '0')}-seed-${seed}`;
}
