/**
 * `dcgan-studio train`: load the config (or the built-in defaults), apply command-line overrides, check the
 * data before step 1, choose the backend, then train and print the event stream.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfig, loadConfigFile, parseConfig, resolveDataPath, resolveOutputDir, setAtPath } from '../runtime/config/load';
import type { DcganConfig } from '../runtime/config/types';
import { hasErrors, type Problem } from '../runtime/problem';
import type { EndEvent, TrainEvent } from '../runtime/events';
import { selectBackend } from '../runtime/backend/select';
import { backendHeadline } from '../runtime/backend/adapter-label';
import { checkConfigData, type DataCheck } from '../runtime/data/lint';
import { train } from '../runtime/train/trainer';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson, writeProblemJson } from './io';
import { eventJson } from './json';
import { Progress, bold, dim, formatEval, formatProblemBlock, green, num, red, yellow } from './output';
import { describeDataCheck } from './describe';
import { findLatestRun, listCheckpoints } from './runs';


interface LoadedTrainConfig {
  config: DcganConfig;
  baseDir: string;
  configFile?: string;
  note?: string;
}

function loadTrainConfig(given: string | undefined, io: Io, json: boolean): LoadedTrainConfig | number {
  let file = given;
  if (file && isDir(file)) {
    const inside = path.join(file, 'dcgan.json');
    if (!fs.existsSync(inside)) throw new UsageError(`${path.resolve(file)} is a folder without a dcgan.json. Pass the config file itself.`, 'train');
    file = inside;
  }
  if (!file) {
    if (fs.existsSync('dcgan.json')) file = 'dcgan.json';
    else return { config: defaultConfig(), baseDir: process.cwd(), note: 'No config given and no ./dcgan.json here: training on builtin:mnist with the default settings.' };
  }
  const loaded = loadConfigFile(file);
  if (!loaded.config || hasErrors(loaded.problems)) {
    reportProblems(io, json, loaded.problems);
    if (!json) io.err.write(`${red(io.err, 'Cannot train')}: fix ${loaded.file ?? file} first (see above).\n`);
    return 2;
  }
  return { config: loaded.config, baseDir: loaded.baseDir, configFile: loaded.file };
}

function applyOverrides(loaded: LoadedTrainConfig, flags: ParsedArgs['flags'], io: Io, json: boolean): DcganConfig | number {
  const doc = structuredClone(loaded.config) as unknown as Record<string, unknown>;
  const applied: string[] = [];
  if (flags.steps !== undefined) {
    setAtPath(doc, ['training', 'steps'], flags.steps);
    applied.push(`--steps ${flags.steps}`);
  }
  if (flags.out !== undefined) {
    // An --out typed on the command line means a folder relative to where the user is, not to the config file.
    setAtPath(doc, ['output', 'dir'], path.resolve(String(flags.out)));
    applied.push(`--out ${flags.out}`);
  }
  if (flags.backend !== undefined) {
    setAtPath(doc, ['runtime', 'backend'], flags.backend);
    applied.push(`--backend ${flags.backend}`);
  }
  if (applied.length === 0) return loaded.config;
  const revalidated = parseConfig(JSON.stringify(doc));
  if (!revalidated.config || hasErrors(revalidated.problems)) {
    const problems = revalidated.problems.map((p) => ({ ...p, file: loaded.configFile, message: `after ${applied.join(' ')}: ${p.message.replace(/^config:\d+: /, '')}` }));
    reportProblems(io, json, problems);
    return 2;
  }
  return revalidated.config;
}

export async function runTrain(args: ParsedArgs, io: Io): Promise<number> {
  const json = Boolean(args.flags.json);
  const loaded = loadTrainConfig(args.positionals[0], io, json);
  if (typeof loaded === 'number') return loaded;
  const config = applyOverrides(loaded, args.flags, io, json);
  if (typeof config === 'number') return config;
  const say = (text: string) => {
    if (!json) io.out.write(text + '\n');
  };
  if (loaded.note) say(dim(io.out, loaded.note));
  else say(`Config: ${loaded.configFile}`);

  const runDir = resolveRunDir(args, config, loaded.baseDir);

  // Ctrl-C: the first one asks the trainer to stop after the current step and write a checkpoint;
  // the second one exits at once (the checkpoint may then be missing).
  const stop = new AbortController();
  let progress: Progress | undefined;
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      stop.abort();
      if (json) io.err.write('Stopping after the current step (Ctrl-C again to exit now).\n');
      else progress?.print(yellow(io.out, 'Stopping after the current step and writing a checkpoint (Ctrl-C again to exit now)...'));
      if (!progress && !json) io.out.write('Stopping...\n');
    } else {
      io.err.write('Interrupted; exiting without a final checkpoint.\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  // A scheduler stops a run with SIGTERM (Slurm's scancel, a sweep's runner): the same clean stop, with its checkpoint.
  process.on('SIGTERM', onSigint);

  try {
    const backend = await selectBackend(config.runtime.backend, { threads: config.runtime.threads });
    say(`Backend: ${bold(io.out, backendHeadline(backend.info))}: ${backend.info.reason}`);

    // Check the data before step 1: a [0,255]-into-tanh dataset fails silently for hundreds of steps otherwise.
    // The check stays open and is handed to the trainer, which reuses the dataset and emits its problems
    // (so --json shows them as problem events) and refuses errors unless --force.
    let check: DataCheck;
    try {
      check = await checkConfigData(config, loaded.baseDir, loaded.configFile, { signal: stop.signal, keepOpen: true });
    } catch (err) {
      if (!stop.signal.aborted) throw err;
      if (json) writeJson(io, { event: 'end', reason: 'stopped', step: 0 });
      else say('Stopped while checking the data; nothing was trained.');
      return 0;
    }
    if (!json) io.out.write(describeDataCheck(io.out, check, config.model.outputActivation, resolveDataPath(config, loaded.baseDir)));
    const dataErrors = hasErrors(check.problems);
    if (dataErrors && args.flags.force) say(yellow(io.out, 'Training anyway (--force), despite the dataset errors below.'));

    let steps = config.training.steps;
    let samplesAnnounced = false;
    let started = false;
    const onEvent = (e: TrainEvent) => {
      if (e.event === 'start') started = true;
      if (json) {
        writeJson(io, eventJson(e));
        return;
      }
      switch (e.event) {
        case 'start':
          started = true;
          steps = e.steps;
          io.out.write(`Run: ${e.outputDir}\n`);
          io.out.write(`Training ${e.step > 0 ? `from step ${e.step} ` : ''}to step ${e.steps}: batch ${e.batchSize}, ${e.imageSize}×${e.imageSize}×${e.channels}, seed ${e.seed}.${io.out.isTTY ? ' Ctrl-C stops and saves a checkpoint.' : ''}\n`);
          progress = new Progress(io.out, e.steps);
          break;
        case 'step':
          progress?.step(e);
          break;
        case 'samples':
          // One line per grid is noise on a TTY; say where they go once, then keep the bar clean.
          if (!samplesAnnounced || !io.out.isTTY) emit(`Samples: ${e.file}${e.diversity !== undefined ? dim(io.out, ` (diversity ${num(e.diversity, 3)})`) : ''}`);
          samplesAnnounced = true;
          break;
        case 'checkpoint':
          emit(dim(io.out, `Checkpoint: ${e.dir}`));
          break;
        case 'problem': {
          const { event: _event, ...problem } = e;
          void _event;
          emit(formatProblemBlock(io.out, problem));
          break;
        }
        case 'balance':
          emit(`${dim(io.out, `[${e.step}/${steps}] balance:`)} ${e.message}`);
          break;
        case 'eval':
          emit(`[${e.step}/${steps}] eval: ${formatEval(e)}`);
          break;
        case 'end':
          break;
      }
    };
    const emit = (text: string) => (progress ? progress.print(text) : io.out.write(text.endsWith('\n') ? text : text + '\n'));

    const end = await train({
      config, baseDir: loaded.baseDir, configFile: loaded.configFile, backend, resume: Boolean(args.flags.resume), runDir,
      signal: stop.signal, onEvent, force: Boolean(args.flags.force), dataCheck: check,
    });
    backend.release?.();
    progress?.finish();
    if (!json) io.out.write(describeEnd(io, end, started));
    if (end.reason === 'completed' || end.reason === 'stopped') return 0;
    // An error before the start event means training never began (dataset errors, unusable data): "could not run".
    return started ? 1 : 2;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** --run wins; --resume alone picks the newest run with a checkpoint under output.dir. */
function resolveRunDir(args: ParsedArgs, config: DcganConfig, baseDir: string): string | undefined {
  if (args.flags.run !== undefined) {
    const dir = path.resolve(String(args.flags.run));
    if (args.flags.resume && listCheckpoints(dir).length === 0) throw new UsageError(`--resume --run ${args.flags.run}: ${dir} holds no checkpoints/step-NNNNNN to resume from.`, 'train');
    return dir;
  }
  if (!args.flags.resume) return undefined;
  const outputDir = resolveOutputDir(config, baseDir);
  const latest = findLatestRun(outputDir);
  if (!latest) throw new UsageError(`--resume: no run with a checkpoint under ${outputDir}. Train once without --resume first, or pass --run DIR.`, 'train');
  return latest;
}

function reportProblems(io: Io, json: boolean, problems: Problem[]): void {
  if (json) for (const p of problems) writeProblemJson(io, p);
  else for (const p of problems) io.err.write(formatProblemBlock(io.err, p));
}


function describeEnd(io: Io, end: EndEvent, started: boolean): string {
  const lines: string[] = [];
  const how =
    !started && end.reason === 'error' ? red(io.out, 'Not started')
    : end.reason === 'completed' ? green(io.out, 'Completed')
    : end.reason === 'stopped' ? yellow(io.out, 'Stopped')
    : end.reason === 'non-finite' ? red(io.out, 'Stopped: losses or weights became NaN/Inf')
    : red(io.out, 'Failed');
  lines.push(`${how}${started ? ` at step ${end.step}` : ''}${end.message ? `: ${end.message}` : '.'}`);
  if (end.checkpoint) lines.push(`Last checkpoint: ${end.checkpoint}`);
  if (end.checkpoint) lines.push(dim(io.out, `Continue with --resume, or draw samples: dcgan-studio sample --checkpoint ${end.checkpoint}`));
  return lines.join('\n') + '\n';
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
