/**
 * A sweep (src/runtime/sweep) as the views draw it: its ranking for the Compare page, its progress for the side
 * view, and its winner as a remedy (a Fix) that the existing remedy path applies. No vscode and no file access.
 */
import * as path from 'node:path';
import type { ComparisonView, SweepNode, SweepRankingView } from '../../protocol';
import type { Fix } from '../../runtime/problem';
import type { RunRecord } from '../../runtime/runs';
import { MEASURE_TEXT, show, summarizeStates, type Ranking, type RunStatus, type Sweep, type sweepForCompare } from '../../runtime/sweep';
import { comparisonView, uniqueRunIds, type ToUri } from './compareView';

/** The winning cell as a remedy, when the verdict is clear and the cell changes the config; else why not. */
export function winnerFix(sweep: Sweep, ranking: Ranking): { fix: Fix } | { reason: string } {
  if (ranking.verdict !== 'clear' || ranking.winner === undefined) {
    return { reason: ranking.verdict === 'single-seed' ? 'One seed per cell cannot tell a winner from chance: run the trial with 2 seeds or more.' : ranking.verdict === 'too-few' ? 'Fewer than two cells have scores yet.' : 'No clear winner: the seeds spread wider than the gap between the best two cells.' };
  }
  const cell = sweep.cells[ranking.winner];
  const entries = Object.entries(cell.set);
  if (entries.length === 0) return { reason: 'The config as it is (the baseline) wins: there is nothing to apply.' };
  return { fix: { title: cell.label, edits: entries.map(([key, value]) => ({ path: key.split('.'), value })) } };
}

export function sweepTitle(sweep: Sweep): string {
  if (sweep.origin?.kind === 'remedies') return `Try these remedies: ${sweep.origin.code}`;
  return sweep.knobs.length ? `Sweep of ${sweep.knobs.join(', ')}` : `Sweep ${sweep.sweepId}`;
}

export function sweepRankingView(sweep: Sweep, ranking: Ranking, statuses: readonly RunStatus[], runIdOfCell: ReadonlyMap<number, string>): SweepRankingView {
  const rows: SweepRankingView['rows'] = ranking.cells.map((c) => ({
    rank: c.rank, label: c.label, mean: c.mean, ...(Number.isFinite(c.spread) ? { spread: c.spread } : {}), min: c.min, max: c.max,
    scored: c.scores.length, runs: c.runs, ...(runIdOfCell.has(c.cell) ? { runId: runIdOfCell.get(c.cell) } : {}),
  }));
  for (const i of ranking.unscored) {
    rows.push({ label: sweep.cells[i].label, scored: 0, runs: statuses.filter((s) => s.run.cell === i).length, ...(runIdOfCell.has(i) ? { runId: runIdOfCell.get(i) } : {}) });
  }
  const open = statuses.filter((s) => s.state !== 'scored');
  const winner = winnerFix(sweep, ranking);
  return {
    sweepId: sweep.sweepId,
    measure: ranking.measure ? MEASURE_TEXT[ranking.measure] : 'Fréchet distance to the training data',
    verdict: ranking.verdict,
    summary: ranking.summary,
    knobs: sweep.knobs,
    rows,
    ...(open.length ? { pending: summarizeStates(open) } : {}),
    apply: 'fix' in winner
      ? { enabled: true, label: winner.fix.title, edits: winner.fix.edits.map((e) => `${e.path.join('.')} = ${show(e.value)}`).join(', ') }
      : { enabled: false, reason: winner.reason },
  };
}

export function sweepNode(sweep: Sweep, statuses: readonly RunStatus[], ranking: Ranking, live: boolean): SweepNode {
  const winner = ranking.verdict === 'clear' && statuses.every((s) => s.state === 'scored') ? ranking.cells[0]?.label : undefined;
  return {
    sweepId: sweep.sweepId,
    runner: sweep.runner,
    title: sweepTitle(sweep),
    done: statuses.filter((s) => ['scored', 'completed', 'failed'].includes(s.state)).length,
    total: statuses.length,
    states: summarizeStates(statuses),
    live,
    runs: statuses.map((s) => ({
      runId: s.run.name, label: `${sweep.cells[s.run.cell]?.label ?? '?'} · seed ${s.run.seed}`, state: s.state, step: s.step, steps: s.steps,
      ...(s.score ? { frechetDistance: s.score.frechetDistance } : {}),
    })),
    ...(winner ? { winner } : {}),
  };
}

/**
 * The Compare page of a sweep: the comparison of its representative runs (one per cell, as read; a run that could
 * not be read is left out) with the ranking on top, each ranked cell pointing at its run's id on the page.
 */
export function sweepComparisonView(sv: Awaited<ReturnType<typeof sweepForCompare>>, records: readonly RunRecord[], toUri: ToUri): ComparisonView {
  const view = comparisonView(records, toUri);
  const ids = uniqueRunIds(records);
  // Run folders are named once per sweep (runOutput.ts sweepRunName), so the folder name finds the record.
  const idByName = new Map(records.map((r, i) => [path.basename(r.dir), ids[i]]));
  const runIdOfCell = new Map<number, string>();
  sv.cells.forEach((cell, i) => {
    const id = idByName.get(path.basename(sv.runDirs[i]));
    if (id) runIdOfCell.set(cell, id);
    // The legend names the cell, not the run's generated config file.
    const run = view.runs.find((r) => r.runId === id);
    const seed = sv.statuses.find((s) => s.run.name === path.basename(sv.runDirs[i]))?.run.seed;
    if (run) run.label = `${sv.sweep.cells[cell].label}${seed !== undefined ? ` · seed ${seed}` : ''}`;
  });
  view.sweep = sweepRankingView(sv.sweep, sv.ranking, sv.statuses, runIdOfCell);
  return view;
}
