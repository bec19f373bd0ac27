/**
 * The sweep shapes of the one protocol (index.ts holds the message unions and re-exports these): what the Compare
 * page draws of a sweep's ranking, and what the side view draws of a sweep's progress. Text only (labels, numbers,
 * states): the page never sees a path, and names a sweep by its id when it asks for anything.
 *
 * No vscode and no Node modules: the webview bundles import it too.
 */
import { isNum, isObj, isStr } from './check';

/** One ranked cell, as the Compare page lists it. */
export interface SweepRankRow {
  /** 1-based; absent for a cell with no score. */
  rank?: number;
  label: string;
  mean?: number;
  /** Standard deviation over seeds; absent with one seed. */
  spread?: number;
  min?: number;
  max?: number;
  scored: number;
  runs: number;
  /** The run id this cell's curves and grids have on the page, when it is one of the compared runs. */
  runId?: string;
}

export interface SweepRankingView {
  sweepId: string;
  /** "Fréchet distance in the bundled classifier's features (28×28 grayscale)". */
  measure: string;
  verdict: 'clear' | 'no-clear-winner' | 'single-seed' | 'too-few';
  summary: string;
  knobs: string[];
  rows: SweepRankRow[];
  /** The runs that are not scored yet, in words ("3 running, 1 failed"), when any. */
  pending?: string;
  /** What "Apply the winner" would write, when there is a clear winner that changes the config; else why not. */
  apply: { enabled: true; label: string; edits: string } | { enabled: false; reason: string };
}

/** One run of a sweep in the side view. */
export interface SweepRunNode {
  runId: string;
  label: string;
  state: string;
  step: number;
  steps: number;
  frechetDistance?: number;
}

/** A sweep as one node of the side view. */
export interface SweepNode {
  sweepId: string;
  runner: 'local' | 'slurm';
  /** "Try these remedies: health/discriminator-overpowering", or the knobs. */
  title: string;
  done: number;
  total: number;
  /** "2 scored, 1 running, 3 not-started". */
  states: string;
  live: boolean;
  runs: SweepRunNode[];
  /** The winner's label once every run is scored (and the verdict is clear). */
  winner?: string;
}

const optNum = (x: unknown) => x === undefined || isNum(x);
const optStr = (x: unknown) => x === undefined || isStr(x);
const VERDICTS: ReadonlySet<unknown> = new Set(['clear', 'no-clear-winner', 'single-seed', 'too-few']);

export function isSweepRankingView(x: unknown): x is SweepRankingView {
  if (!isObj(x) || !isStr(x.sweepId) || !isStr(x.measure) || !VERDICTS.has(x.verdict) || !isStr(x.summary) || !optStr(x.pending)) return false;
  if (!Array.isArray(x.knobs) || !x.knobs.every(isStr)) return false;
  const a = x.apply;
  if (!isObj(a) || !(a.enabled === true ? isStr(a.label) && isStr(a.edits) : a.enabled === false && isStr(a.reason))) return false;
  return Array.isArray(x.rows) && x.rows.length <= 1000 && x.rows.every((r) => isObj(r) && isStr(r.label) && optNum(r.rank) && optNum(r.mean) && optNum(r.spread)
    && optNum(r.min) && optNum(r.max) && isNum(r.scored) && isNum(r.runs) && optStr(r.runId));
}

export function isSweepNode(x: unknown): x is SweepNode {
  return isObj(x) && isStr(x.sweepId) && (x.runner === 'local' || x.runner === 'slurm') && isStr(x.title) && isNum(x.done) && isNum(x.total) && isStr(x.states)
    && typeof x.live === 'boolean' && optStr(x.winner) && Array.isArray(x.runs) && x.runs.length <= 10_000
    && x.runs.every((r) => isObj(r) && isStr(r.runId) && isStr(r.label) && isStr(r.state) && isNum(r.step) && isNum(r.steps) && optNum(r.frechetDistance));
}
