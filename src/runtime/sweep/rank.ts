/**
 * The sweep's verdict: cells ranked by the mean of their runs' Fréchet distances (lower is better), the spread over
 * seeds, and whether the best cell beats the runner-up by more than that spread. Pure, so the CLI report, its
 * --json and the Compare panel say the same thing.
 */
import type { ScoreMeasure } from './score';
import type { SweepCell } from './sweepFile';

export interface CellRanking {
  cell: number;
  label: string;
  set: Record<string, unknown>;
  /** Scores of the cell's runs that have one, by seed order. */
  scores: number[];
  /** Runs the cell has, scored or not. */
  runs: number;
  mean: number;
  /** Sample standard deviation over seeds (n − 1); NaN with one seed. */
  spread: number;
  min: number;
  max: number;
  /** 1-based; undefined for a cell with no score. */
  rank?: number;
}

export type Verdict =
  /** The best cell's mean beats the runner-up's by more than either cell's spread over seeds. */
  | 'clear'
  /** The gap is within the seed spread: more seeds or more steps before choosing. */
  | 'no-clear-winner'
  /** One seed per cell: there is no spread to weigh the gap against. */
  | 'single-seed'
  /** Fewer than two cells have scores. */
  | 'too-few';

export interface Ranking {
  measure?: ScoreMeasure;
  cells: CellRanking[];
  verdict: Verdict;
  winner?: number;
  runnerUp?: number;
  /** runner-up mean − winner mean. */
  gap?: number;
  /** The larger of the two cells' spreads. */
  spread?: number;
  /** The keys whose values differ between the winner and the runner-up, with both values. */
  knobs: { key: string; winner: unknown; runnerUp: unknown }[];
  /** Cells not ranked because none of their runs has a score. */
  unscored: number[];
  /** One sentence for people. */
  summary: string;
}

function stats(xs: number[]): { mean: number; spread: number; min: number; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const spread = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : NaN;
  return { mean, spread, min: Math.min(...xs), max: Math.max(...xs) };
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** `scores[cell]` lists that cell's runs' distances (undefined: not scored). */
export function rankCells(cells: readonly SweepCell[], scores: readonly (readonly (number | undefined)[])[], measure?: ScoreMeasure): Ranking {
  const ranked: CellRanking[] = [];
  const unscored: number[] = [];
  cells.forEach((c, i) => {
    const xs = (scores[i] ?? []).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (xs.length === 0) {
      unscored.push(i);
      return;
    }
    ranked.push({ cell: i, label: c.label, set: c.set, scores: xs, runs: scores[i]?.length ?? 0, ...stats(xs) });
  });
  ranked.sort((a, b) => a.mean - b.mean || a.cell - b.cell);
  ranked.forEach((r, i) => (r.rank = i + 1));
  const result: Ranking = { ...(measure ? { measure } : {}), cells: ranked, verdict: 'too-few', knobs: [], unscored, summary: '' };
  if (ranked.length < 2) {
    result.summary = ranked.length === 1 ? `Only "${ranked[0].label}" has scores; nothing to rank it against yet.` : 'No run has a score yet.';
    return result;
  }
  const [best, second] = ranked;
  const gap = second.mean - best.mean;
  const spreads = [best.spread, second.spread].filter(Number.isFinite);
  const spread = spreads.length ? Math.max(...spreads) : NaN;
  result.winner = best.cell;
  result.runnerUp = second.cell;
  result.gap = gap;
  if (Number.isFinite(spread)) result.spread = spread;
  const keys = [...new Set([...Object.keys(best.set), ...Object.keys(second.set)])];
  result.knobs = keys.filter((k) => JSON.stringify(best.set[k]) !== JSON.stringify(second.set[k])).map((k) => ({ key: k, winner: best.set[k], runnerUp: second.set[k] }));
  const differs = result.knobs.length ? ` (differs from the runner-up in ${result.knobs.map((k) => `${k.key}: ${show(k.winner)} vs ${show(k.runnerUp)}`).join('; ')})` : '';
  if (best.scores.length < 2 || second.scores.length < 2) {
    result.verdict = 'single-seed';
    result.summary = `"${best.label}" is best${differs}, by ${fmt(gap)}; with one seed per cell there is no spread to weigh that gap against: no clear winner can be claimed (run --seeds 2 or more).`;
  } else if (gap > spread) {
    result.verdict = 'clear';
    result.summary = `"${best.label}" wins${differs}: ${fmt(best.mean)} vs ${fmt(second.mean)}, a gap of ${fmt(gap)}, ${gap / spread >= 100 ? 'over 100' : (gap / spread).toFixed(1)}× the spread between seeds (${fmt(spread)}).`;
  } else {
    result.verdict = 'no-clear-winner';
    result.summary = `No clear winner: "${best.label}" leads "${second.label}" by ${fmt(gap)}, less than the spread between seeds (${fmt(spread)}). More seeds or more steps would tell them apart.`;
  }
  return result;
}

/** A value as the report shows it: auto, 0.1, {"from":[0,255]}; absent: the base config's. */
export function show(v: unknown): string {
  if (v === undefined) return '(as configured)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
