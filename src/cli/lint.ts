/**
 * `dcgan-studio lint`: check a config as configured, or a bare dataset as fed as-is to a tanh generator.
 * Exit 0: no errors; 1: at least one error finding; 2: could not run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile, readConfigText, resolveDataPath } from '../runtime/config/load';
import { hasErrors, type Problem } from '../runtime/problem';
import type { DataCheck } from '../runtime/data/lint';
import type { Scaling } from '../runtime/data/scale';
import type { DatasetStats } from '../runtime/data/stats';
import { lintInWorker, type LintJob } from '../worker/lintWorkerClient';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { describeDataCheck } from './describe';
import { bold, formatProblemBlock, green, red, yellow } from './output';


function isConfigPath(abs: string): boolean {
  return /\.jsonc?$/i.test(abs) && fs.statSync(abs).isFile();
}

/** The --json "dataset" object: the statistics first-class, with the source and the scaling beside them. */
export function datasetJson(check: DataCheck, source: string): Record<string, unknown> | null {
  if (!check.stats) return null;
  return { source, ...check.stats, ...(check.scaling ? { scaling: check.scaling } : {}) };
}

/** The data is read in the lint worker (bounded heap; a hostile file costs that thread only). */
async function lintData(job: LintJob, io: Io): Promise<DataCheck> {
  const r = await lintInWorker(job, job.full ? { onLog: (m) => io.err.write(`${m}\n`), timeoutMs: 60 * 60_000 } : {});
  // The worker sends back what checkConfigData returned.
  return { problems: r.problems, stats: r.stats as DatasetStats | undefined, scaling: r.scaling as Scaling | undefined };
}

export async function runLint(args: ParsedArgs, io: Io): Promise<number> {
  const json = Boolean(args.flags.json);
  const full = Boolean(args.flags.full);
  const given = args.positionals[0];
  const abs = path.resolve(given);
  if (!fs.existsSync(abs)) throw new UsageError(`${given}: no such file or folder (${abs}). Pass a dcgan.json or a dataset path.`, 'lint');

  let check: DataCheck;
  let configProblems: Problem[] = [];
  let activation: 'tanh' | 'sigmoid' = 'tanh';
  let source = abs;
  if (isConfigPath(abs)) {
    const loaded = loadConfigFile(abs);
    configProblems = loaded.problems;
    if (!loaded.config || hasErrors(loaded.problems)) {
      // The config cannot be used, so the data was not checked: that is "could not run", not a data verdict.
      if (json) writeJson(io, { dataset: null, problems: loaded.problems });
      else {
        for (const p of loaded.problems) io.err.write(formatProblemBlock(io.err, p));
        io.err.write(`${red(io.err, 'Cannot check the data')}: fix ${abs} first.\n`);
      }
      return 2;
    }
    activation = loaded.config.model.outputActivation;
    source = resolveDataPath(loaded.config, loaded.baseDir);
    check = await lintData({ configFile: loaded.file ?? abs, configText: readConfigText(abs), full }, io);
  } else {
    check = await lintData({ datasetPath: abs, full }, io);
  }

  const problems = [...configProblems, ...check.problems];
  if (json) {
    writeJson(io, { dataset: datasetJson(check, source), problems });
  } else {
    io.out.write(describeDataCheck(io.out, check, activation, source));
    for (const p of problems) io.out.write(formatProblemBlock(io.out, p));
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.filter((p) => p.severity === 'warning').length;
    if (errors) io.out.write(`${red(io.out, `${errors} error${errors > 1 ? 's' : ''}`)}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}: ${bold(io.out, 'training on this data would not learn as configured')}.\n`);
    else if (warnings) io.out.write(`${yellow(io.out, `${warnings} warning${warnings > 1 ? 's' : ''}`)}, no errors.\n`);
    else io.out.write(`${green(io.out, 'No problems found.')}\n`);
  }
  return hasErrors(problems) ? 1 : 0;
}
