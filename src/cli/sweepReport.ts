/**
 * How `dcgan-studio sweep` shows a sweep: its runs and where they stand, and the ranking of its cells. Text read
 * from a sweep folder (labels, notes) may come from anyone, so it is printed without control characters.
 */
import { MEASURE_TEXT, show, type Ranking, type RunStatus, type Sweep } from '../runtime/sweep';
import { bold, dim, green, num, red, yellow, type Stream } from './output';

/**
 * Text from files, short enough for a table cell. Control characters need nothing here: the CLI's streams escape
 * them all (output.ts, terminalStream), in this report as everywhere.
 */
export function printable(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}`.trimEnd());
}

export function describePlan(sweep: Sweep, dir: string): string {
  const seeds = sweep.seeds.length;
  const where = sweep.runner === 'local' ? `here, ${sweep.parallel} at a time` : `on Slurm${sweep.parallel < sweep.runs.length ? `, at most ${sweep.parallel} at a time` : ''}`;
  const lines = [
    `Sweep ${sweep.sweepId}: ${sweep.cells.length} cell${sweep.cells.length > 1 ? 's' : ''} × ${seeds} seed${seeds > 1 ? 's' : ''} (${sweep.seeds.join(', ')}) = ${sweep.runs.length} runs of ${sweep.steps} steps, ${where}.`,
    `  folder: ${dir}`,
    ...sweep.cells.map((c) => `  cell ${c.index + 1}: ${printable(c.label)}`),
  ];
  return lines.join('\n') + '\n';
}

const STATE_COLOR: Record<string, (s: Stream, t: string) => string> = { scored: green, completed: green, failed: red, killed: yellow, stopped: yellow };

export function formatStatus(out: Stream, sweep: Sweep, statuses: readonly RunStatus[]): string {
  const rows = [['run', 'cell', 'seed', 'state', 'step', 'Fréchet', 'note']];
  for (const s of statuses) {
    const paint = STATE_COLOR[s.state] ?? ((_: Stream, t: string) => t);
    rows.push([
      s.run.name, printable(sweep.cells[s.run.cell]?.label ?? '?', 40), String(s.run.seed), paint(out, s.state),
      `${s.step}/${s.steps}`, s.score ? num(s.score.frechetDistance, 3) : '-', s.note ? printable(s.note, 240) : '',
    ]);
  }
  return table(rows).join('\n') + '\n';
}

export function formatRanking(out: Stream, sweep: Sweep, ranking: Ranking): string {
  const lines: string[] = [];
  const measure = ranking.measure ? MEASURE_TEXT[ranking.measure] : 'Fréchet distance';
  lines.push(bold(out, 'Ranking') + dim(out, ` by ${measure} to each run's own training data; lower is better. Mean ± standard deviation over seeds.`));
  if (sweep.knobs.length) lines.push(dim(out, `  ${sweep.knobs.length > 1 ? 'knobs that differ' : 'the knob that differs'} between cells: ${sweep.knobs.join(', ')}`));
  const rows = [['#', 'cell', 'mean ± spread', 'min–max', 'seeds']];
  for (const c of ranking.cells) {
    rows.push([String(c.rank), printable(c.label, 80), `${num(c.mean, 3)} ± ${Number.isFinite(c.spread) ? num(c.spread, 3) : '-'}`, `${num(c.min, 3)}–${num(c.max, 3)}`, `${c.scores.length}/${c.runs}`]);
  }
  for (const i of ranking.unscored) rows.push(['-', printable(sweep.cells[i].label, 80), 'no score', '', `0/${sweep.runs.filter((r) => r.cell === i).length}`]);
  lines.push(...table(rows));
  const color = ranking.verdict === 'clear' ? green : yellow;
  lines.push(color(out, printable(ranking.summary, 2000)));
  const best = ranking.cells[0];
  if (best && ranking.verdict === 'clear') {
    const edits = Object.entries(best.set);
    lines.push(dim(out, edits.length ? `  to apply it, set in ${printable(sweep.baseConfig)}: ${edits.map(([k, v]) => `${k} = ${show(v)}`).join(', ')}` : '  the config as it is wins: nothing to change.'));
  }
  return lines.join('\n') + '\n';
}
