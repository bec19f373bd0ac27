/**
 * Runs as data: read a run folder back, compare runs, export a checkpoint's generator, animate a run's grids.
 * No vscode: the CLI (compare | export | animate) and the extension (Compare Runs, Export Generator, Save as GIF)
 * call the same functions. Every folder is treated as hostile (safeFs.ts): regular files inside it only, bounded
 * sizes, no link followed out of it, malformed lines skipped and counted.
 *
 * API (stable; add fields, do not rename):
 *
 *   readRun(runDir, { maxPoints?, maxMetricsBytes?, since? }): Promise<RunRecord>
 *     Throws NotARunError (.dir, .message naming the folder and what is missing) for a folder that is not a run.
 *     RunRecord: runId, dir (real path), status, configFile?, backend?, startedAt?, config (resolved, {} if unknown),
 *     plannedSteps?, lastStep, series: RunPoint[] {step, lossD, lossG, dx, dgz, ms} (NaN for non-finite values),
 *     seriesStride, alerts: Problem[] (health/*, no fixes), problems: Problem[] (the rest), eval?: RunEval
 *     {step, source: 'checkpoint'|'metrics', classifierScore?, classCoverage?, frechetDistance?, diversity?, count?},
 *     grids: RunGrid[] {step, file}, checkpoints: {step, dir}[], skippedLines, metricsOffset, truncated.
 *     Live runs: pass the previous record as `since` and only the lines appended since are read.
 *
 *   saveCheckpointEval(checkpointDir, step, figures): string | undefined   (writes eval.json; `dcgan-studio eval` does)
 *
 *   Listing (list.ts; the one lister of grids and checkpoints): listGrids(dir), listCheckpoints(dir),
 *   latestCheckpoint(runDir), newestRunWithCheckpoint(outputDir), realBatchFile(dir), resolveCheckpoint(given)
 *   (a checkpoint, run, checkpoints/ or output folder -> {dir, step}; throws NoCheckpointError).
 *
 *   The views' reads (summary.ts): summarizeRun(runDir): RunSummary (run.json and grids: a workspace scan);
 *   readRunHistory(runDir, maxStepBuckets?): Promise<RunHistory> {summary, history (steps decimated), problems,
 *   skippedLines}: a restored dashboard. Throws NotARunError without a readable metrics.jsonl.
 *
 *   compareRuns(records): Comparison   (pure)
 *     runs[{runId, dir, status, lastStep, plannedSteps?}], configDiff: {key (dotted), values[] per run}[],
 *     end: {last?: RunPoint, recent?: {lossD, lossG, dx, dgz, window}}[], eval: (RunEval|undefined)[],
 *     alerts: {count, byCode, firstStep?, alerts}[], commonGridSteps: number[],
 *     gridRows: {step, grids: (RunGrid|undefined)[], exact}[]   (common steps, else nearest to the sparsest run's).
 *     Helpers: nearestGrid(grids, step), alignGrids(gridLists), configDifferences(configs), flattenConfig(config).
 *
 *   exportGenerator(checkpointDir, outDir, { raw?, generatedBy? }): Promise<ExportResult>
 *     Writes outDir/model.json + group1-shardNofM.bin: a TensorFlow.js *graph model* (tf.loadGraphModel; predict(z)
 *     with z [N, latentDim] gives images [N, S, S, C] in metadata.outputRange). Default: the generator average
 *     (manifest.generatorAverage), else the trained generator (result.note says so); raw: the trained one.
 *     ExportResult: {outDir, modelFile, weightFiles, format: 'graph-model', metadata: ExportMetadata, note?, bytes}.
 *     model.json's userDefinedMetadata.dcganStudio (tfjs: model.metadata.dcganStudio) = ExportMetadata.
 *     Throws ExportError / UnsafeFileError (messages name the file).
 *
 *   animateRun(runDir, { fps?, every?, maxFrames?, holdLastMs? }): Promise<Animation>
 *     Animation: {gif: Uint8Array, frames: RunGrid[] (the grids used), width, height, skipped[]}.
 *     every = use every N-th grid (the last is always included); selectFrames(grids, every) gives the same list.
 *     Frames are decoded and encoded one at a time; each at most the largest grid the trainer writes (2082×2082),
 *     all together at most MAX_ANIMATION_PIXELS (more grids are thinned evenly, the last kept).
 *   encodeGif(frames: GridImage[], { fps?, holdLastMs? }): Uint8Array;  writeGif(root, file, gifBytes): void
 *   gifFileName(runId): '<safe run id>-timeline.gif'
 */
export { readRun, NotARunError, saveCheckpointEval } from './read';
export type { RunRecord, RunPoint, RunGrid, RunCheckpoint, RunEval, RunRecordStatus, ReadRunOptions } from './read';
export { listGrids, listCheckpoints, latestCheckpoint, newestRunWithCheckpoint, realBatchFile, resolveCheckpoint, NoCheckpointError } from './list';
export { summarizeRun, readRunHistory } from './summary';
export type { RunSummary, RunHistory, GridRef } from './summary';
export { compareRuns, configDifferences, flattenConfig, nearestGrid, alignGrids, intersectSteps, runEnd, alertSummary, RECENT_WINDOW } from './compare';
export type { Comparison, ConfigDifference, GridRow, RunEnd, RunAlertSummary } from './compare';
export { exportGenerator, readCheckpointSafely, ExportError, EXPORT_FORMAT, EXPORT_VERSION } from './export';
export type { ExportOptions, ExportResult, ExportMetadata } from './export';
export { animateRun, encodeGif, writeGif, selectFrames, decodeGridPng, gifFileName, MAX_ANIMATION_PIXELS } from './gif';
export type { Animation, AnimateOptions, GifOptions } from './gif';
export { UnsafeFileError } from '../safeFs';
