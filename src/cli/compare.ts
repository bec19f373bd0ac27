/** `dcgan-studio compare RUN_DIR RUN_DIR...`: what differs between runs and what each reached, as a table or JSON. */
import { compareRuns, NotARunError, readRun, type Comparison, type RunRecord } from '../runtime/runs';
import { isSweepDir, SweepFileError, sweepForCompare } from '../runtime/sweep';
import { formatRanking } from './sweepReport';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { bold, dim, num, type Stream } from './output';

export const MIN_RUNS = 2;
export const MAX_RUNS = 6;

export async function runCompare(args: ParsedArgs, io: Io): Promise<number> {
  let dirs = args.positionals;
  // One sweep folder: its ranking, then one run per cell (sweepForCompare picks them).
  let sweepView: Awaited<ReturnType<typeof sweepForCompare>> | undefined;
  if (dirs.length === 1 && isSweepDir(dirs[0])) {
    try {
      sweepView = await sweepForCompare(dirs[0], MAX_RUNS);
    } catch (err) {
      if (err instanceof SweepFileError) throw new UsageError(err.message, 'compare');
      throw err;
    }
    dirs = sweepView.runDirs;
    if (dirs.length < 1) throw new UsageError(`${sweepView.dir} is a sweep none of whose runs has started yet: nothing to compare. Follow it with "dcgan-studio sweep status ${sweepView.dir}".`, 'compare');
  } else if (dirs.length < MIN_RUNS || dirs.length > MAX_RUNS) {
    throw new UsageError(`give ${MIN_RUNS} to ${MAX_RUNS} run folders to compare, or one sweep folder (got ${dirs.length}).`, 'compare');
  }
  const records: RunRecord[] = [];
  for (const dir of dirs) {
    try {
      records.push(await readRun(dir));
    } catch (err) {
      if (err instanceof NotARunError) throw new UsageError(err.message, 'compare');
      throw err;
    }
  }
  const comparison = compareRuns(records);
  if (args.flags.json) writeJson(io, sweepView ? { sweep: sweepView.dir, ranking: sweepView.ranking, cells: sweepView.cells, ...comparison } : comparison);
  else {
    if (sweepView) io.out.write(`${formatRanking(io.out, sweepView.sweep, sweepView.ranking)}\n${dim(io.out, `Below: one run per cell (seed ${sweepView.sweep.seeds[0]}), best first.`)}\n\n`);
    io.out.write(formatComparison(io.out, comparison, records));
  }
  return 0;
}

const LETTERS = 'ABCDEF';

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}`.trimEnd());
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function formatComparison(out: Stream, c: Comparison, records: readonly RunRecord[]): string {
  const runs = c.runs.map((_, i) => LETTERS[i]);
  const lines: string[] = [bold(out, `Comparing ${c.runs.length} runs`)];
  lines.push(...table(c.runs.map((r, i) => [runs[i], r.runId, r.status, `step ${r.lastStep}${r.plannedSteps !== undefined ? `/${r.plannedSteps}` : ''}`, dim(out, r.dir)])));
  const skipped = records.map((r, i) => (r.skippedLines ? `${runs[i]}: ${r.skippedLines} unreadable line${r.skippedLines > 1 ? 's' : ''} in metrics.jsonl skipped` : '')).filter(Boolean);
  if (skipped.length) lines.push(dim(out, `  (${skipped.join('; ')})`));

  lines.push('', bold(out, 'Config differences'));
  if (c.configDiff.length === 0) lines.push('  none: the runs were configured alike (output.dir aside)');
  else lines.push(...table([['key', ...runs], ...c.configDiff.map((d) => [d.key, ...d.values.map(value)])]));

  const window = Math.max(0, ...c.end.map((e) => e.recent?.window ?? 0));
  lines.push('', bold(out, `Last step`) + dim(out, ` (and the mean of the last ${window} steps)`));
  const metric = (label: string, k: 'lossD' | 'lossG' | 'dx' | 'dgz', digits: number) =>
    [label, ...c.end.map((e) => (e.last ? `${num(e.last[k], digits)} (${num(e.recent?.[k], digits)})` : '-'))];
  lines.push(...table([
    ['', ...runs],
    ['step', ...c.end.map((e) => (e.last ? String(e.last.step) : '-'))],
    metric('Loss_D', 'lossD', 3),
    metric('Loss_G', 'lossG', 3),
    metric('D(x)', 'dx', 2),
    metric('D(G(z))', 'dgz', 2),
  ]));

  lines.push('', bold(out, 'Eval') + dim(out, ' (newest evaluated checkpoint; "dcgan-studio eval --checkpoint RUN_DIR" adds one)'));
  if (c.eval.every((e) => e === undefined)) lines.push('  no run has eval figures yet');
  else {
    const row = (label: string, f: (e: NonNullable<Comparison['eval'][number]>) => string | undefined) => [label, ...c.eval.map((e) => (e ? f(e) ?? '-' : '-'))];
    lines.push(...table([
      ['', ...runs],
      row('step', (e) => String(e.step)),
      row('classifier score', (e) => (e.classifierScore === undefined ? undefined : num(e.classifierScore, 3))),
      row('class coverage', (e) => (e.classCoverage === undefined ? undefined : `${e.classCoverage}/10`)),
      row('Fréchet distance', (e) => (e.frechetDistance === undefined ? undefined : num(e.frechetDistance, 2))),
      row('diversity', (e) => (e.diversity === undefined ? undefined : num(e.diversity, 3))),
    ]));
  }

  lines.push('', bold(out, 'Health alerts'));
  const codes = [...new Set(c.alerts.flatMap((a) => Object.keys(a.byCode)))].sort();
  lines.push(...table([
    ['', ...runs],
    ['total', ...c.alerts.map((a) => String(a.count))],
    ...codes.map((code) => [code, ...c.alerts.map((a) => String(a.byCode[code] ?? 0))]),
    ['first at step', ...c.alerts.map((a) => (a.firstStep === undefined ? '-' : String(a.firstStep)))],
  ]));

  lines.push('', bold(out, 'Sample grids'));
  if (c.commonGridSteps.length) lines.push(`  at the same steps in every run: ${stepList(c.commonGridSteps)}`);
  else if (c.gridRows.length) lines.push(`  no step shared by every run; nearest grids to ${stepList(c.gridRows.map((r) => r.step))}`);
  else lines.push('  no grids yet');
  const lastRow = c.gridRows.at(-1);
  if (lastRow) lines.push(...table(lastRow.grids.map((g, i) => [runs[i], g ? `step ${g.step}` : '-', dim(out, g?.file ?? '')])));
  return lines.join('\n') + '\n';
}

function stepList(steps: readonly number[]): string {
  const shown = steps.length > 12 ? [...steps.slice(0, 5), '…', ...steps.slice(-5)] : steps;
  return `${shown.join(', ')} (${steps.length})`;
}
