/**
 * Turns the runtime's comparison (src/runtime/runs: RunRecord, Comparison) into what the Compare Runs page draws
 * (protocol.ts: ComparisonView, CompareLiveUpdate): run ids made unique, step series decimated to the page's
 * budget, alerts folded per code, grids as webview URIs, config values as text. No vscode and no file access:
 * the panel passes `toUri`, so the webview test builds the very same messages from real run folders.
 */
import * as path from 'node:path';
import type { CompareAlert, CompareEval, CompareLiveUpdate, CompareRunView, CompareSeries, ComparisonView, ConfigDiffRow } from '../../protocol';
import type { StepEvent } from '../../runtime/events';
import type { Problem } from '../../runtime/problem';
import type { Comparison, RunEval, RunGrid, RunPoint, RunRecord } from '../../runtime/runs';
import { compareRuns } from '../../runtime/runs';
import { decimateStepEvents } from '../../runtime/decimate';

/** Step buckets per run in the first message (each keeps its extremes: up to ~4 points); the page decimates on. */
export const SERIES_BUCKETS = 1000;
/** Grids per run the page can step through; a run sampled more often is spread evenly (first and last kept). */
export const MAX_GRIDS_PER_RUN = 1000;

export type ToUri = (file: string) => string;

/** Ids unique within one comparison: a second run folder named like the first gets " (2)", and so on. */
export function uniqueRunIds(records: readonly RunRecord[]): string[] {
  const seen = new Map<string, number>();
  return records.map((r) => {
    const n = (seen.get(r.runId) ?? 0) + 1;
    seen.set(r.runId, n);
    return n === 1 ? r.runId : `${r.runId} (${n})`;
  });
}

/** "examples/demo/dcgan.json" → "demo/dcgan.json": enough to tell configs apart in a legend. */
export function runLabel(record: RunRecord, runId: string): string {
  if (!record.configFile) return runId;
  const file = record.configFile;
  return `${runId} · ${path.basename(path.dirname(file))}/${path.basename(file)}`;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function seriesOf(points: readonly RunPoint[], buckets = SERIES_BUCKETS): CompareSeries {
  // decimateStepEvents keeps real points (each bucket's first, last and extremes), so spikes survive.
  const asEvents: StepEvent[] = points.map((p) => ({ event: 'step', step: p.step, lossD: p.lossD, lossG: p.lossG, dReal: p.dx, dFake: p.dgz, ms: p.ms }));
  const kept = decimateStepEvents(asEvents, buckets);
  return {
    step: kept.map((e) => e.step),
    lossD: kept.map((e) => finite(e.lossD)),
    lossG: kept.map((e) => finite(e.lossG)),
    dReal: kept.map((e) => finite(e.dReal)),
    dFake: kept.map((e) => finite(e.dFake)),
  };
}

/** One entry per alert code, the latest message, where it first and last fired and how often. */
export function foldAlerts(alerts: readonly Problem[]): CompareAlert[] {
  const byCode = new Map<string, CompareAlert>();
  for (const a of alerts) {
    const prev = byCode.get(a.code);
    byCode.set(a.code, {
      code: a.code,
      severity: a.severity,
      message: a.message,
      firstStep: prev?.firstStep ?? a.step,
      lastStep: a.step ?? prev?.lastStep,
      count: (prev?.count ?? 0) + 1,
    });
  }
  return [...byCode.values()];
}

function evalOf(e: RunEval | undefined): CompareEval | undefined {
  if (!e) return undefined;
  const { source: _source, ...figures } = e;
  return figures;
}

export function spreadGrids(grids: readonly RunGrid[], max = MAX_GRIDS_PER_RUN): RunGrid[] {
  if (grids.length <= max) return grids.slice();
  const out: RunGrid[] = [];
  for (let i = 0; i < max; i++) out.push(grids[Math.round((i * (grids.length - 1)) / (max - 1))]);
  return out;
}

/** A config value as the table shows it: 0.1, true, builtin:mnist, [1,2]; absent keys say so. */
export function formatConfigValue(v: unknown): string {
  if (v === undefined) return '(not set)';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** A run whose files may still grow: it says it is running, or never said how it ended. */
export function isLive(r: RunRecord): boolean {
  return r.status === 'running' || r.status === 'unknown';
}

export function comparisonView(records: readonly RunRecord[], toUri: ToUri, comparison: Comparison = compareRuns(records)): ComparisonView {
  const ids = uniqueRunIds(records);
  const runs: CompareRunView[] = records.map((r, i) => ({
    runId: ids[i],
    label: runLabel(r, ids[i]),
    status: r.status,
    live: isLive(r),
    step: r.lastStep,
    ...(r.plannedSteps !== undefined ? { steps: r.plannedSteps } : {}),
    series: seriesOf(r.series),
    ...(r.eval ? { eval: evalOf(r.eval) } : {}),
    alerts: foldAlerts(comparison.alerts[i]?.alerts ?? r.alerts),
    grids: spreadGrids(r.grids).map((g) => ({ step: g.step, uri: toUri(g.file) })),
  }));
  const configDiff: ConfigDiffRow[] = comparison.configDiff.map((d) => ({ key: d.key, values: d.values.map(formatConfigValue) }));
  return { runs, configDiff, gridSteps: comparison.commonGridSteps.slice() };
}

/**
 * What changed in one run between two reads of its folder (`before`, then `after` = readRun(dir, {since: before})),
 * or undefined when nothing did. `commonGridSteps` is sent when the set of steps all runs share changed.
 */
export function liveUpdate(runId: string, before: RunRecord, after: RunRecord, toUri: ToUri, commonGridSteps?: { before: readonly number[]; after: readonly number[] }): CompareLiveUpdate | undefined {
  const fresh = after.series.filter((p) => p.step > before.lastStep);
  const known = new Set(before.grids.map((g) => g.step));
  const grids = after.grids.filter((g) => !known.has(g.step)).map((g) => ({ step: g.step, uri: toUri(g.file) }));
  const changedCodes = new Set<string>(after.alerts.slice(before.alerts.length).map((a) => a.code));
  const alerts = foldAlerts(after.alerts).filter((a) => changedCodes.has(a.code));
  const evalChanged = after.eval && (!before.eval || after.eval.step !== before.eval.step || after.eval.source !== before.eval.source);
  const statusChanged = after.status !== before.status;
  const gridStepsChanged = commonGridSteps && commonGridSteps.before.join() !== commonGridSteps.after.join();
  if (fresh.length === 0 && grids.length === 0 && alerts.length === 0 && !evalChanged && !statusChanged && !gridStepsChanged && after.lastStep === before.lastStep) return undefined;
  return {
    runId,
    series: seriesOf(fresh),
    grids,
    alerts,
    ...(evalChanged ? { eval: evalOf(after.eval) } : {}),
    ...(statusChanged ? { status: after.status } : {}),
    step: after.lastStep,
    ...(gridStepsChanged ? { gridSteps: commonGridSteps!.after.slice() } : {}),
  };
}
