/**
 * The "Samples" side view (activity-bar container "dcgan"): every run in the workspace, found from the
 * run.json its trainer wrote, with its grids over time. Rescans (debounced) when a run.json or a grid PNG
 * appears, and when this window starts a run.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary, SamplesToHost, SamplesToWebview, SweepNode } from '../../protocol';
import type { RunRecord } from '../../runtime/runs';
import { localRunnerAlive, rankSweep, readSweep, sweepStatus } from '../../runtime/sweep';
import { sweepNode } from './sweepView';
import { DashboardPanel } from './dashboardPanel';
import { realBatchFile, summarizeRun } from '../../runtime/runs';
import type { ViewServices } from './services';
import { WebviewPage } from './webviewPage';

/** More runs than this in one workspace is a sweep; the newest are the ones worth a thumbnail. */
const MAX_RUNS = 50;
/** Sweep folders listed as nodes (newest first). */
const MAX_SWEEPS = 10;
const RESCAN_DELAY_MS = 500;

export class SamplesViewProvider extends WebviewPage<'samples'> implements vscode.WebviewViewProvider {
  static readonly viewType = 'dcgan.samples';

  private view: vscode.WebviewView | undefined;
  private runs: RunSummary[] = [];
  private sweeps: { node: SweepNode; dir: string }[] = [];
  /** Each sweep's run records from the last scan: a rescan reads only what the runs appended since. */
  private readonly sweepRecords = new Map<string, Map<string, RunRecord>>();
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(extensionUri: vscode.Uri, private readonly services: ViewServices) {
    super('samples', extensionUri, services.log);
    const watcher = vscode.workspace.createFileSystemWatcher('**/{run.json,samples/*.png,sweep.json,scores/*.json}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.scheduleRescan()),
      watcher.onDidChange(() => this.scheduleRescan()),
      watcher.onDidDelete(() => this.scheduleRescan()),
    );
    if (services.onDidStartSession) this.disposables.push(services.onDidStartSession(() => this.scheduleRescan()));
    if (services.onDidChangeSweeps) this.disposables.push(services.onDidChangeSweeps(() => this.scheduleRescan()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
    this.attachWebview(view.webview);
    this.renderPage('DCGAN samples');
    this.disposables.push(
      view.onDidChangeVisibility(() => { if (view.visible) this.scheduleRescan(); }),
      view.onDidDispose(() => { this.view = undefined; }),
    );
  }

  /** Finds the runs in the workspace, newest first, merged with this window's sessions. */
  async scan(): Promise<RunSummary[]> {
    const files = await vscode.workspace.findFiles('**/run.json', '**/node_modules/**', MAX_RUNS * 4);
    const byDir = new Map<string, RunSummary>();
    for (const f of files) {
      const dir = path.dirname(f.fsPath);
      byDir.set(dir, summarizeRun(dir));
    }
    for (const [dir, run] of byDir) {
      const s = this.services.sessionFor(run.runId);
      if (s && path.resolve(s.runDir) === dir) byDir.set(dir, { ...s.summary(), grids: run.grids });
    }
    return [...byDir.values()].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '')).slice(0, MAX_RUNS);
  }

  /**
   * The workspace's sweep folders as nodes, newest first: each one's runs and where they stand, from its folder (the
   * runtime's reader; a sweep folder may come from anyone, so trust decides only what may run, not what is shown).
   */
  async scanSweeps(): Promise<{ node: SweepNode; dir: string }[]> {
    const files = await vscode.workspace.findFiles('**/sweep.json', '**/node_modules/**', MAX_SWEEPS * 2);
    const out: { node: SweepNode; dir: string; created: string }[] = [];
    for (const f of files) {
      try {
        const { dir, sweep } = readSweep(path.dirname(f.fsPath));
        const live = this.services.sweepLive?.(dir) || (sweep.runner === 'local' && localRunnerAlive(dir));
        const { runs, records } = await sweepStatus(dir, sweep, { localRunnerAlive: live, previous: this.sweepRecords.get(dir) });
        this.sweepRecords.set(dir, records);
        out.push({ node: sweepNode(sweep, runs, rankSweep(sweep, runs), live), dir, created: sweep.createdAt });
      } catch (err) {
        this.services.log.warn(`samples view: ${f.fsPath}: ${(err as Error).message}`);
      }
    }
    return out.sort((a, b) => b.created.localeCompare(a.created)).slice(0, MAX_SWEEPS);
  }

  private scheduleRescan(): void {
    if (!this.view) return;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => { this.rescanTimer = undefined; void this.refresh(); }, RESCAN_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    const view = this.view;
    if (!view) return;
    [this.runs, this.sweeps] = await Promise.all([this.scan(), this.scanSweeps()]);
    // The page may load only the bundle and the folders of the runs it lists.
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), ...this.runs.map((r) => vscode.Uri.file(r.runDir))],
    };
    const toUri = (file: string) => this.toUri(file);
    void this.post({ type: 'runs', runs: this.runs.map((r) => ({ ...r, grids: r.grids?.map((g) => ({ ...g, uri: toUri(g.file) })) })), sweeps: this.sweeps.map((s) => s.node) });
  }

  protected async onMessage(m: SamplesToHost): Promise<SamplesToWebview | undefined> {
    switch (m.type) {
      case 'ready':
        await this.refresh();
        return undefined;
      case 'requestRealBatch': {
        const run = this.runs.find((r) => r.runId === m.runId);
        const file = run && realBatchFile(run.runDir);
        if (file && this.view) void this.post({ type: 'realBatch', runId: m.runId, image: { kind: 'uri', uri: this.toUri(file), file } });
        else void this.post({ type: 'realBatch', runId: m.runId, note: 'This run has no samples/real.png: runs from older versions of the trainer did not write one.' });
        return undefined;
      }
      case 'openDashboard': {
        const run = this.runs.find((r) => r.runId === m.runId);
        const session = this.services.sessionFor(m.runId);
        if (session || run) DashboardPanel.createOrShow(this.extensionUri, session ?? run!.runDir, this.services);
        return undefined;
      }
      case 'compareRuns': {
        // The page names runs by id; the folders are the ones this view listed.
        const dirs = m.runIds.map((id) => this.runs.find((r) => r.runId === id)?.runDir).filter((d): d is string => d !== undefined);
        await vscode.commands.executeCommand('dcgan.compareRuns', dirs);
        return undefined;
      }
      case 'compareSweep': {
        const sweep = this.sweeps.find((s) => s.node.sweepId === m.sweepId);
        if (sweep) await vscode.commands.executeCommand('dcgan.compareRuns', sweep.dir);
        return undefined;
      }
      case 'saveGif': {
        const run = this.runs.find((r) => r.runId === m.runId);
        if (!run || !this.services.saveGif) { void this.post({ type: 'gifSaved', runId: m.runId, ok: false, message: 'This run is no longer listed.' }); return undefined; }
        try {
          const saved = await this.services.saveGif(run.runDir, run.runId);
          void this.post(saved ? { type: 'gifSaved', runId: m.runId, ok: true, file: saved.file, frames: saved.frames } : { type: 'gifSaved', runId: m.runId, ok: false, message: 'Not saved.' });
        } catch (err) {
          this.services.log.error(`Save as GIF (${run.runDir}): ${(err as Error).message}`);
          void this.post({ type: 'gifSaved', runId: m.runId, ok: false, message: (err as Error).message });
        }
        return undefined;
      }
    }
  }

  override dispose(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    super.dispose();
  }
}

/** Registers the side view; the returned disposable also ends its file watcher. */
export function registerSamplesView(extensionUri: vscode.Uri, services: ViewServices): vscode.Disposable {
  const provider = new SamplesViewProvider(extensionUri, services);
  const registration = vscode.window.registerWebviewViewProvider(SamplesViewProvider.viewType, provider);
  return vscode.Disposable.from(registration, provider);
}
