/**
 * `dcgan-studio train`: what the command line asks for (the config file, overrides, the run folder) becomes one
 * training request (runtime/train/request.ts, which the extension's worker runs too); this file prints its progress.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveDataPath } from '../runtime/config/load';
import { hasErrors, type Problem } from '../runtime/problem';
import type { EndEvent, TrainEvent } from '../runtime/events';
import { backendHeadline } from '../runtime/backend/adapter-label';
import { runTrainingRequest } from '../runtime/train/request';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson, writeProblemJson } from './io';
import { eventJson } from './json';
import { Progress, bold, dim, formatEval, formatProblemBlock, green, num, red, yellow } from './output';
import { describeDataCheck } from './describe';
import { userOutputRoot } from '../runtime/outputFiles';

/** The config file the user means: the one given (a folder: its dcgan.json), else ./dcgan.json, else none (defaults). */
function configFileOf(given: string | undefined): string | undefined {
  if (given && isDir(given)) {
    const inside = path.join(given, 'dcgan.json');
    if (!fs.existsSync(inside)) throw new UsageError(`${path.resolve(given)} is a folder without a dcgan.json. Pass the config file itself.`, 'train');
    return inside;
  }
  if (given) return given;
  return fs.existsSync('dcgan.json') ? 'dcgan.json' : undefined;
}

/** The command line's overrides, by config key, and how each was typed (for messages). */
function overridesOf(flags: ParsedArgs['flags']): { overrides: Record<string, unknown>; labels: Record<string, string> } {
  const overrides: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const set = (key: string, value: unknown, label: string) => ((overrides[key] = value), (labels[key] = label));
  if (flags.steps !== undefined) set('training.steps', flags.steps, `--steps ${flags.steps}`);
  // An --out typed on the command line means a folder relative to where the user is, not to the config file.
  if (flags.out !== undefined) set('output.dir', path.resolve(String(flags.out)), `--out ${flags.out}`);
  if (flags.backend !== undefined) set('runtime.backend', flags.backend, `--backend ${flags.backend}`);
  return { overrides, labels };
}

export async function runTrain(args: ParsedArgs, io: Io): Promise<number> {
  const json = Boolean(args.flags.json);
  const configFile = configFileOf(args.positionals[0]);
  const { overrides, labels } = overridesOf(args.flags);
  const say = (text: string) => {
    if (!json) io.out.write(text + '\n');
  };
  if (configFile) say(`Config: ${path.resolve(configFile)}`);
  else say(dim(io.out, 'No config given and no ./dcgan.json here: training on builtin:mnist with the default settings.'));
  const runDir = args.flags.run !== undefined ? path.resolve(String(args.flags.run)) : undefined;
  // Where the user sent the run on the command line is theirs to choose; the config's output.dir must stay in its folder.
  const outputRoots = [args.flags.out, args.flags.run].filter((f) => f !== undefined).map((f) => userOutputRoot(String(f)));

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

  let steps = 0;
  let samplesAnnounced = false;
  const emit = (text: string) => (progress ? progress.print(text) : io.out.write(text.endsWith('\n') ? text : text + '\n'));
  const onEvent = (e: TrainEvent) => {
    if (json) {
      writeJson(io, eventJson(e));
      return;
    }
    switch (e.event) {
      case 'start':
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

  try {
    const outcome = await runTrainingRequest({
      configFile, overrides, overrideLabels: labels, runDir, outputRoots, resume: Boolean(args.flags.resume), force: Boolean(args.flags.force),
      signal: stop.signal, onEvent,
      onBackend: (backend) => say(`Backend: ${bold(io.out, backendHeadline(backend.info))}: ${backend.info.reason}`),
      onDataCheck: (check, config, baseDir) => {
        if (!json) io.out.write(describeDataCheck(io.out, check, config.model.outputActivation, resolveDataPath(config, baseDir)));
        if (hasErrors(check.problems) && args.flags.force) say(yellow(io.out, 'Training anyway (--force), despite the dataset errors below.'));
      },
    });
    if (outcome.kind === 'invalid') {
      reportProblems(io, json, outcome.problems);
      if (!json) io.err.write(`${red(io.err, 'Cannot train')}: fix ${outcome.file ?? 'the config'} first (see above).\n`);
      return 2;
    }
    if (outcome.kind === 'stopped-before-start') {
      if (json) writeJson(io, { event: 'end', reason: 'stopped', step: 0 });
      else say('Stopped while checking the data; nothing was trained.');
      return 0;
    }
    const { end, started } = outcome;
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
