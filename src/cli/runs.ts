/**
 * Finding run folders and checkpoints on disk, so that `--resume` and `--checkpoint` accept what users
 * naturally point at: a checkpoint folder, a run folder (its newest checkpoint), or an output folder (its newest run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';

const CHECKPOINT_DIR = /^step-(\d+)$/;

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Checkpoints of one run folder, oldest first. */
export function listCheckpoints(runDir: string): { dir: string; step: number }[] {
  const root = path.join(runDir, 'checkpoints');
  if (!isDir(root)) return [];
  return fs
    .readdirSync(root)
    .map((name) => ({ name, m: CHECKPOINT_DIR.exec(name) }))
    .filter((x) => x.m && fs.existsSync(path.join(root, x.name, 'manifest.json')))
    .map((x) => ({ dir: path.join(root, x.name), step: Number(x.m![1]) }))
    .sort((a, b) => a.step - b.step);
}

/** The run folder under `outputDir` that was written to most recently and holds at least one checkpoint. */
export function findLatestRun(outputDir: string): string | undefined {
  if (!isDir(outputDir)) return undefined;
  let best: { dir: string; time: number } | undefined;
  for (const name of fs.readdirSync(outputDir)) {
    const dir = path.join(outputDir, name);
    const checkpoints = listCheckpoints(dir);
    if (checkpoints.length === 0) continue;
    const time = fs.statSync(checkpoints[checkpoints.length - 1].dir).mtimeMs;
    if (!best || time > best.time) best = { dir, time };
  }
  return best?.dir;
}

/** Resolves what the user passed as --checkpoint to one checkpoint folder (one holding manifest.json). */
export function resolveCheckpoint(given: string): { dir: string; step: number } {
  const abs = path.resolve(given);
  if (!fs.existsSync(abs)) throw new UsageError(`--checkpoint ${given}: no such folder (${abs}). Point it at a run's checkpoints/step-NNNNNN folder, or at the run folder to use its newest checkpoint.`);
  if (fs.existsSync(path.join(abs, 'manifest.json'))) {
    const m = CHECKPOINT_DIR.exec(path.basename(abs));
    return { dir: abs, step: m ? Number(m[1]) : readManifestStep(abs) };
  }
  const inRun = listCheckpoints(abs);
  if (inRun.length) return inRun[inRun.length - 1];
  if (path.basename(abs) === 'checkpoints') {
    const inParent = listCheckpoints(path.dirname(abs));
    if (inParent.length) return inParent[inParent.length - 1];
  }
  const run = findLatestRun(abs);
  if (run) return listCheckpoints(run).at(-1)!;
  throw new UsageError(`--checkpoint ${given}: ${abs} holds no checkpoint (no manifest.json, and no checkpoints/step-NNNNNN inside). Train first, or point at a folder written by "dcgan-studio train".`);
}

function readManifestStep(dir: string): number {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { step?: unknown };
    return typeof manifest.step === 'number' ? manifest.step : 0;
  } catch {
    return 0;
  }
}
