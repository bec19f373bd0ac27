/**
 * Writes one run's folder for the trainer (trainer.ts): events to metrics.jsonl as they happen, config.json,
 * run.json and the real-data grid, through runFolder.ts's no-follow primitives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveOutputDir } from '../config/load';
import type { DcganConfig } from '../config/types';
import { readScaled } from '../data/dataset';
import type { Dataset } from '../data/types';
import type { EndReason, TrainEvent } from '../events';
import type { ModelSpec } from '../model/spec';
import { latestCheckpoint } from './checkpoint';
import { tileGrid, writePng } from './grid';
import { permutation, Rng } from './rng';
import { checkRunFolder, makeFolder, openAppend, writeFileAtomic } from './runFolder';
import type { TrainOptions } from './types';

const REAL_GRID_COUNT = 64;

/**
 * The run folder: metrics.jsonl (every event, appended as it happens so nothing is lost on a crash or kill),
 * samples/, checkpoints/, config.json and run.json (status, for the side panel and for --resume).
 */
export class RunFiles {
  readonly dir: string;
  runId: string;
  private fd: number | undefined;
  private readonly onEvent: (e: TrainEvent) => void;
  private runJson: Record<string, unknown> = {};

  constructor(private readonly opts: TrainOptions) {
    this.onEvent = opts.onEvent;
    const previous = opts.resume && !opts.runDir ? newestRunWithCheckpoint(resolveOutputDir(opts.config, opts.baseDir)) : undefined;
    if (opts.runDir || previous) {
      this.dir = path.resolve(opts.runDir ?? previous!);
      this.runId = path.basename(this.dir);
    } else {
      this.runId = newRunId(opts.configFile);
      this.dir = path.join(resolveOutputDir(opts.config, opts.baseDir), this.runId);
    }
  }

  start(config: DcganConfig, resumedRunId?: string): void {
    if (resumedRunId) this.runId = resumedRunId;
    checkRunFolder(this.dir);
    makeFolder(this.dir);
    makeFolder(path.join(this.dir, 'samples'));
    makeFolder(path.join(this.dir, 'checkpoints'));
    writeFileAtomic(path.join(this.dir, 'config.json'), JSON.stringify(config, null, 2));
    this.fd = openAppend(path.join(this.dir, 'metrics.jsonl'));
    this.runJson = {
      runId: this.runId,
      configFile: this.opts.configFile ?? null,
      backend: this.opts.backend.info,
      startedAt: new Date().toISOString(),
      status: 'running',
      pid: process.pid,
    };
    this.writeRunJson();
  }

  emit(e: TrainEvent): void {
    if (this.fd !== undefined) {
      const line = e.event === 'samples' ? { ...e, grid: undefined } : e;
      fs.writeSync(this.fd, JSON.stringify(line) + '\n');
    }
    if (e.event === 'checkpoint') {
      this.runJson.latestCheckpoint = e.dir;
      this.runJson.step = e.step;
      this.writeRunJson();
    }
    this.onEvent(e);
  }

  async writeRealGrid(ds: Dataset, spec: ModelSpec, range: [number, number], scaling: { scale: number; offset: number }, rng: Rng): Promise<void> {
    const n = Math.min(REAL_GRID_COUNT, ds.count);
    const idx = permutation(ds.count, new Rng(rng.getState() ^ 0x5bd1e995)).slice(0, n);
    const raw = new Float32Array(n * spec.imageSize * spec.imageSize * spec.channels);
    await readScaled(ds, idx, raw, scaling);
    writePng(path.join(this.dir, 'samples', 'real.png'), tileGrid(raw, n, spec.imageSize, spec.channels, range));
  }

  close(reason: EndReason): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
      this.runJson.status = reason;
      this.runJson.endedAt = new Date().toISOString();
      this.writeRunJson();
    }
  }

  private writeRunJson(): void {
    writeFileAtomic(path.join(this.dir, 'run.json'), JSON.stringify(this.runJson, null, 2));
  }
}

/**
 * A sweep folder's name (src/runtime/sweep): "sweep-faces-2026-12-05-10-00-00", or "sweep-<time>" for a plain
 * dcgan.json. Only [A-Za-z0-9._-], so the name is safe as a path and in sbatch.
 */
export function newSweepId(configFile?: string): string {
  const stamp = new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  const name = (configFile ? path.basename(configFile).replace(/(\.dcgan)?\.json$/, '').replace(/^dcgan$/, '') : '').replace(/[^A-Za-z0-9._-]/g, '_');
  return name ? `sweep-${name}-${stamp}` : `sweep-${stamp}`;
}

/**
 * The run folder of one run of a sweep: its cell and seed, fixed when the sweep is planned, so that a task started by
 * a scheduler (and its resume) finds the same folder.
 */
export function sweepRunName(cellIndex: number, seed: number): string {
  return `cell-${String(cellIndex + 1).padStart(2, '0')}-seed-${seed}`;
}

/** For --resume without a run folder: the most recently active run under output.dir that has a checkpoint. */
function newestRunWithCheckpoint(outputDir: string): string | undefined {
  if (!fs.existsSync(outputDir)) return undefined;
  let best: { dir: string; mtime: number } | undefined;
  for (const name of fs.readdirSync(outputDir)) {
    const dir = path.join(outputDir, name);
    const ckpt = latestCheckpoint(dir);
    if (!ckpt) continue;
    const mtime = fs.statSync(ckpt).mtimeMs;
    if (!best || mtime > best.mtime) best = { dir, mtime };
  }
  return best?.dir;
}

function newRunId(configFile?: string): string {
  const stamp = new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  const name = configFile ? path.basename(configFile).replace(/(\.dcgan)?\.json$/, '').replace(/^dcgan$/, '') : '';
  return name ? `${name}-${stamp}` : stamp;
}
