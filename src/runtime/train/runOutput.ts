/**
 * Writes one run's folder for the trainer (trainer.ts): events to metrics.jsonl as they happen, config.json,
 * run.json and the real-data grid, through ../outputFiles.ts (every folder from the run's root down checked for
 * links; appends without following links; atomic writes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveOutputDir } from '../config/load';
import type { DcganConfig } from '../config/types';
import { readScaled } from '../data/dataset';
import type { Dataset } from '../data/types';
import type { EndReason, TrainEvent } from '../events';
import type { ModelSpec } from '../model/spec';
import { checkOutputFolders, isInside, openAppend, writeFileAtomic } from '../outputFiles';
import { newestRunWithCheckpoint } from '../runs/list';
import { tileGrid, writePng } from './grid';
import { permutation, Rng } from './rng';
import { checkRunFolder } from './runFolder';
import { newRunDir } from './runName';
import type { TrainOptions } from './types';

const REAL_GRID_COUNT = 64;

/**
 * The run folder: metrics.jsonl (every event, appended as it happens so nothing is lost on a crash or kill),
 * samples/, checkpoints/, config.json and run.json (status, for the side panel and for --resume).
 */
export class RunFiles {
  readonly dir: string;
  /** The folder the run's location was chosen in (the config's, or one the user named): links are refused below it. */
  readonly root: string;
  runId: string;
  private fd: number | undefined;
  private readonly onEvent: (e: TrainEvent) => void;
  private runJson: Record<string, unknown> = {};

  /** Throws OutputPathError when output.dir lies outside the config's folder and the roots the user chose. */
  constructor(private readonly opts: TrainOptions) {
    this.onEvent = opts.onEvent;
    const roots = [opts.baseDir, ...(opts.outputRoots ?? [])].map((r) => path.resolve(r));
    const outputDir = () => resolveOutputDir(opts.config, opts.baseDir, { roots, configFile: opts.configFile });
    const previous = opts.resume && !opts.runDir ? newestRunWithCheckpoint(outputDir()) : undefined;
    if (opts.runDir || previous) {
      this.dir = path.resolve(opts.runDir ?? previous!);
      this.runId = path.basename(this.dir);
    } else {
      this.dir = newRunDir(outputDir(), opts.configFile);
      this.runId = path.basename(this.dir);
    }
    // The innermost root holding the run: the folder whose owner chose this place. A runDir outside all of them
    // was named by the caller (the CLI adds --run's root; the extension checks output.dir before it names one):
    // its own folder is then the root, and the run folder itself is still checked.
    this.root = roots.filter((r) => isInside(r, this.dir)).sort((a, b) => b.length - a.length)[0] ?? path.dirname(this.dir);
  }

  /** Throws OutputPathError when a folder on the way to the run, or a file the run writes, is a link. */
  check(): void {
    checkRunFolder(this.root, this.dir);
  }

  start(config: DcganConfig, resumedRunId?: string): void {
    if (resumedRunId) this.runId = resumedRunId;
    this.check();
    checkOutputFolders(this.root, path.join(this.dir, 'samples'), { create: true });
    checkOutputFolders(this.root, path.join(this.dir, 'checkpoints'), { create: true });
    this.write('config.json', JSON.stringify(config, null, 2));
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
    writePng(this.dir, path.join(this.dir, 'samples', 'real.png'), tileGrid(raw, n, spec.imageSize, spec.channels, range));
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
    this.write('run.json', JSON.stringify(this.runJson, null, 2));
  }

  private write(name: string, text: string): void {
    writeFileAtomic(this.dir, path.join(this.dir, name), text);
  }
}
