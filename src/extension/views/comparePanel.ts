/**
 * The Compare Runs panel: one WebviewPanel (createOrShow reveals it with the new set of runs), revived after a
 * reload from the run folders kept in the workspace's memento (not from the page, which never sees paths).
 *
 * Reading run folders needs a trusted workspace: in an untrusted one the panel shows why, and loads once trust
 * is granted. Runs still being written are followed: a file watcher on each one's metrics.jsonl (plus a slow
 * poll, for folders outside the workspace a watcher may not cover), debounced, reads only the appended bytes
 * (readRun's `since`), at most LIVE_READ_BYTES a time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MAX_COMPARED_RUNS, type CompareToHost, type CompareToWebview, type ComparisonView } from '../../protocol';
import { NotARunError, compareRuns, readRun, type RunRecord } from '../../runtime/runs';
import { readSweep, sweepForCompare } from '../../runtime/sweep';
import { requireTrust } from '../trust';
import { comparisonView, isLive, liveUpdate, uniqueRunIds } from './compareView';
import { sweepComparisonView, sweepTitle, winnerFix } from './sweepView';
import { DashboardPanel } from './dashboardPanel';
import type { ViewServices } from './services';
import { WebviewPage } from './webviewPage';

const MEMENTO_KEY = 'dcgan.compare.runDirs';
const MEMENTO_SWEEP_KEY = 'dcgan.compare.sweepDir';
/** Quiet time after the last change to a metrics.jsonl before it is read (a training run appends every step). */
const LIVE_DEBOUNCE_MS = 750;
const LIVE_POLL_MS = 5000;
const LIVE_READ_BYTES = 16 * 2 ** 20;
/**
 * Bytes of each run's metrics.jsonl read when the panel opens (about half a million steps): six runs stay a few
 * seconds of reading and a bounded heap (readRun also caps what it keeps of problems). Runs still being written
 * are read on from there.
 */
const FIRST_READ_BYTES = 64 * 2 ** 20;
/** Points kept per run in memory; the page gets about SERIES_BUCKETS of them. */
const MAX_POINTS = 20_000;

interface Followed {
  runId: string;
  record: RunRecord;
  watcher?: vscode.FileSystemWatcher;
  timer?: ReturnType<typeof setTimeout>;
  reading: boolean;
}

export class ComparePanel extends WebviewPage<'compare'> {
  static readonly viewType = 'dcgan.compare';
  private static instance: ComparePanel | undefined;

  private followed: Followed[] = [];
  private poll: ReturnType<typeof setInterval> | undefined;
  private generation = 0;
  /** The last comparison sent to the page, and whether the webview accepted it: for the extension-host tests. */
  lastComparison: ComparisonView | undefined;
  lastDelivered = false;
  /** Live updates sent so far (tests and the log). */
  liveUpdates = 0;
  /** Run folders given that could not be read, with the reason. */
  readonly skipped: { dir: string; reason: string }[] = [];

  static get current(): ComparePanel | undefined {
    return ComparePanel.instance;
  }

  /**
   * Shows `runDirs` (2–6 run folders) in the panel, creating it when none is open. With `sweepDir`, the panel shows
   * that sweep instead: its ranking and one run per cell (runtime/sweep sweepForCompare), read when the page is ready.
   */
  static createOrShow(extensionUri: vscode.Uri, runDirs: readonly string[], services: ViewServices, memento?: vscode.Memento, sweepDir?: string): ComparePanel {
    const dirs = normalize(sweepDir ? [sweepDir] : runDirs);
    const sweep = sweepDir ? dirs[0] : undefined;
    const existing = ComparePanel.instance;
    if (existing) {
      existing.setRuns(sweep ? [] : dirs, sweep);
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(ComparePanel.viewType, compareTitle(dirs, sweep), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, compareOptions(extensionUri, dirs));
    return new ComparePanel(panel, extensionUri, sweep ? [] : dirs, services, memento, sweep);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, services: ViewServices, memento?: vscode.Memento): ComparePanel {
    ComparePanel.instance?.dispose();
    const saved = memento?.get<unknown>(MEMENTO_KEY);
    const savedSweep = memento?.get<unknown>(MEMENTO_SWEEP_KEY);
    const sweep = typeof savedSweep === 'string' ? normalize([savedSweep])[0] : undefined;
    const dirs = sweep ? [] : Array.isArray(saved) ? normalize(saved.filter((d): d is string => typeof d === 'string')) : [];
    panel.webview.options = compareOptions(extensionUri, sweep ? [sweep] : dirs);
    return new ComparePanel(panel, extensionUri, dirs, services, memento, sweep);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private runDirs: string[],
    private readonly services: ViewServices,
    private readonly memento: vscode.Memento | undefined,
    private sweepDir?: string,
  ) {
    super('compare', extensionUri, services.log);
    ComparePanel.instance = this;
    void memento?.update(MEMENTO_KEY, runDirs);
    void memento?.update(MEMENTO_SWEEP_KEY, sweepDir);
    this.attachWebview(panel.webview);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.render()),
    );
    this.render();
  }

  get runs(): readonly string[] {
    return this.runDirs;
  }

  /** The sweep folder the panel shows, if it shows one. */
  get sweep(): string | undefined {
    return this.sweepDir;
  }

  private setRuns(dirs: string[], sweepDir?: string): void {
    this.runDirs = dirs;
    this.sweepDir = sweepDir;
    void this.memento?.update(MEMENTO_KEY, dirs);
    void this.memento?.update(MEMENTO_SWEEP_KEY, sweepDir);
    this.panel.title = compareTitle(dirs, sweepDir);
    this.panel.webview.options = compareOptions(this.extensionUri, sweepDir ? [sweepDir] : dirs);
    this.render();
  }

  private render(): void {
    this.stopFollowing();
    this.lastComparison = undefined;
    this.lastDelivered = false;
    const webview = this.panel.webview;
    if (!vscode.workspace.isTrusted) {
      webview.html = explanationHtml('Compare Runs reads run folders (their metrics, configs, checkpoints and sample grids), which in an untrusted workspace may come from anyone. Trust this workspace (the "Manage Workspace Trust" command) to compare its runs; this page loads then.');
      return;
    }
    if (this.runDirs.length < 2 && !this.sweepDir) {
      webview.html = explanationHtml('There are no runs to compare here any more. Run "DCGAN: Compare Runs" and pick two to six runs.');
      return;
    }
    this.renderPage(compareTitle(this.runDirs, this.sweepDir));
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    this.stopFollowing();
    this.skipped.length = 0;
    let sweep: Awaited<ReturnType<typeof sweepForCompare>> | undefined;
    if (this.sweepDir) {
      try {
        sweep = await sweepForCompare(this.sweepDir, MAX_COMPARED_RUNS);
        this.runDirs = sweep.runDirs;
      } catch (err) {
        this.services.log.warn(`compare: ${(err as Error).message}`);
        this.panel.webview.html = explanationHtml((err as Error).message);
        return;
      }
    }
    const records: RunRecord[] = [];
    for (const dir of this.runDirs) {
      try {
        records.push(await readRun(dir, { maxPoints: MAX_POINTS, maxMetricsBytes: FIRST_READ_BYTES }));
      } catch (err) {
        const reason = (err as Error).message;
        this.skipped.push({ dir, reason });
        this.services.log.warn(`compare: ${reason}`);
        if (!(err instanceof NotARunError)) this.services.log.error(`compare: reading ${dir} failed: ${(err as Error).stack ?? reason}`);
      }
    }
    if (generation !== this.generation) return; // a newer set of runs replaced this one while it was read
    for (const r of records) if (r.truncated && !isLive(r)) this.services.log.warn(`compare: ${r.dir}/metrics.jsonl is larger than ${FIRST_READ_BYTES / 2 ** 20} MiB; its first ${FIRST_READ_BYTES / 2 ** 20} MiB are shown. Compare it with "dcgan-studio compare" for the whole run.`);
    if (this.skipped.length) void vscode.window.showWarningMessage(`DCGAN: ${this.skipped.length === 1 ? 'one folder is' : `${this.skipped.length} folders are`} left out of the comparison. ${this.skipped[0].reason}`);
    const toUri = (file: string) => this.toUri(file);
    const view = sweep ? sweepComparisonView(sweep, records, toUri) : comparisonView(records, toUri);
    const ids = uniqueRunIds(records);
    this.lastComparison = view;
    this.lastDelivered = await this.post({ type: 'comparison', comparison: view });
    this.followed = records.map((record, i) => ({ runId: ids[i], record, reading: false }));
    for (const f of this.followed) if (isLive(f.record)) this.follow(f);
    if (this.followed.some((f) => f.watcher)) {
      this.poll = setInterval(() => { for (const f of this.followed) if (f.watcher) this.schedule(f); }, LIVE_POLL_MS);
    }
  }

  private follow(f: Followed): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(f.record.dir), 'metrics.jsonl'));
    watcher.onDidChange(() => this.schedule(f));
    watcher.onDidCreate(() => this.schedule(f));
    f.watcher = watcher;
  }

  private schedule(f: Followed): void {
    if (f.timer) clearTimeout(f.timer);
    f.timer = setTimeout(() => { f.timer = undefined; void this.readMore(f); }, LIVE_DEBOUNCE_MS);
  }

  private async readMore(f: Followed): Promise<void> {
    if (f.reading || !f.watcher) return;
    f.reading = true;
    const generation = this.generation;
    try {
      const before = f.record;
      const after = await readRun(before.dir, { since: before, maxPoints: MAX_POINTS, maxMetricsBytes: LIVE_READ_BYTES });
      if (generation !== this.generation) return;
      const commonBefore = compareRuns(this.followed.map((x) => x.record)).commonGridSteps;
      f.record = after;
      const commonAfter = compareRuns(this.followed.map((x) => x.record)).commonGridSteps;
      const update = liveUpdate(f.runId, before, after, (file) => this.toUri(file), { before: commonBefore, after: commonAfter });
      if (update) {
        this.liveUpdates++;
        void this.post({ type: 'compareLive', update });
      }
      if (!isLive(after)) { f.watcher.dispose(); f.watcher = undefined; }
      // More than one read's worth was appended: go on at once.
      else if (after.truncated) this.schedule(f);
    } catch (err) {
      this.services.log.warn(`compare: following ${f.record.dir}: ${(err as Error).message}`);
    } finally {
      f.reading = false;
    }
  }

  private stopFollowing(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    for (const f of this.followed) {
      if (f.timer) clearTimeout(f.timer);
      f.watcher?.dispose();
    }
    this.followed = [];
  }

  protected async onMessage(m: CompareToHost): Promise<CompareToWebview | undefined> {
    switch (m.type) {
      case 'ready':
        if (vscode.workspace.isTrusted) await this.load();
        return undefined;
      case 'openDashboard': {
        const f = this.followed.find((x) => x.runId === m.runId);
        if (!f) return undefined;
        const session = this.services.sessionFor(f.record.runId);
        DashboardPanel.createOrShow(this.extensionUri, session && path.resolve(session.runDir) === f.record.dir ? session : f.record.dir, this.services);
        return undefined;
      }
      case 'applyWinner': {
        const reply = await this.applyWinner(m.sweepId);
        void this.post(reply);
        return reply;
      }
    }
  }

  /**
   * "Apply the winner": the page names the sweep; the host reads the sweep folder again, takes its winning cell as a
   * remedy (clear verdict only) and writes it to the sweep's config through the remedy path (applyFix runs
   * checkRemedy: a dcgan.json of this workspace, schema keys, never a path). A sweep folder may come from a cloned
   * repository, so its config is accepted only when it is one of the workspace's own.
   */
  async applyWinner(sweepId: string): Promise<Extract<CompareToWebview, { type: 'winnerApplied' }>> {
    const answer = (ok: boolean, message: string) => ({ type: 'winnerApplied' as const, sweepId, ok, message });
    if (!this.sweepDir) return answer(false, 'This page does not show a sweep.');
    if (!requireTrust('apply remedies', this.services.log)) return answer(false, 'The workspace is not trusted: nothing was written.');
    try {
      const { dir, sweep } = readSweep(this.sweepDir);
      if (sweep.sweepId !== sweepId) return answer(false, `This page shows sweep ${sweep.sweepId}, not ${sweepId}; reopen it.`);
      const { ranking } = await sweepForCompare(dir, MAX_COMPARED_RUNS);
      const winner = winnerFix(sweep, ranking);
      if (!('fix' in winner)) return answer(false, winner.reason);
      const target = sweep.origin?.configFile ?? sweep.baseConfig;
      await this.services.applyFix(target, winner.fix);
      return answer(true, `Applied "${winner.fix.title}" to ${path.basename(target)}; it takes effect on the next run.`);
    } catch (err) {
      this.services.log.warn(`compare: apply the winner: ${(err as Error).message}`);
      return answer(false, (err as Error).message);
    }
  }

  override dispose(): void {
    if (ComparePanel.instance === this) ComparePanel.instance = undefined;
    this.generation++;
    this.stopFollowing();
    super.dispose();
    this.panel.dispose();
  }
}

/**
 * Absolute real paths (what readRun reports as a run's dir, so the page's localResourceRoots cover its grids),
 * without duplicates, at most MAX_COMPARED_RUNS. Resolved before the page loads: changing a webview's options
 * afterwards reloads it.
 */
function normalize(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    let r = path.resolve(d);
    try { r = fs.realpathSync(r); } catch { /* left as given: readRun names it in its error */ }
    if (!out.includes(r)) out.push(r);
  }
  return out.slice(0, MAX_COMPARED_RUNS);
}

function compareTitle(dirs: readonly string[], sweepDir?: string): string {
  if (sweepDir) {
    try {
      return `DCGAN: ${sweepTitle(readSweep(sweepDir).sweep)}`;
    } catch {
      return `DCGAN: sweep ${path.basename(sweepDir)}`;
    }
  }
  return `DCGAN: compare ${dirs.map((d) => path.basename(d)).join(', ')}`;
}

/** Scripts on; local files limited to the bundle and the compared run folders (their grids). */
function compareOptions(extensionUri: vscode.Uri, runDirs: readonly string[]): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), ...runDirs.map((d) => vscode.Uri.file(d))],
  };
}

/** A page without scripts, for when there is nothing to load. */
function explanationHtml(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p data-testid="compare-explanation">${esc}</p></body></html>`;
}

/** Brings the Compare Runs panel back after a window reload; register once in activate(). */
export function registerCompareSerializer(extensionUri: vscode.Uri, services: ViewServices, memento?: vscode.Memento): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(ComparePanel.viewType, {
      async deserializeWebviewPanel(panel) {
        ComparePanel.revive(panel, extensionUri, services, memento);
      },
    }),
    { dispose: () => ComparePanel.current?.dispose() },
  );
}
