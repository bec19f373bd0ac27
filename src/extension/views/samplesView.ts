/**
 * The "Samples" side view (activity-bar container "dcgan"): every run in the workspace, found from the
 * run.json its trainer wrote, with its grids over time. Rescans (debounced) when a run.json or a grid PNG
 * appears, and when this window starts a run.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isWebviewToHost, type HostToWebview, type RunSummary, type WebviewToHost } from '../../protocol';
import { DashboardPanel } from './dashboardPanel';
import { renderWebviewHtml } from './html';
import { realBatchFile, summarizeRun } from '../../runtime/runs';
import type { ViewServices } from './services';

/** More runs than this in one workspace is a sweep; the newest are the ones worth a thumbnail. */
const MAX_RUNS = 50;
const RESCAN_DELAY_MS = 500;

export class SamplesViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'dcgan.samples';

  private view: vscode.WebviewView | undefined;
  private runs: RunSummary[] = [];
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly services: ViewServices) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{run.json,samples/*.png}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.scheduleRescan()),
      watcher.onDidChange(() => this.scheduleRescan()),
      watcher.onDidDelete(() => this.scheduleRescan()),
    );
    if (services.onDidStartSession) this.disposables.push(services.onDidStartSession(() => this.scheduleRescan()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const bundle = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [bundle] };
    view.webview.html = renderWebviewHtml({
      cspSource: view.webview.cspSource,
      title: 'DCGAN samples',
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'samples.js')).toString(),
      styleUris: [view.webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'samples.css')).toString()],
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.onMessage(m);
        else this.services.log.warn(`samples view: ignored a message outside the protocol: ${JSON.stringify(m)}`);
      }),
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

  private scheduleRescan(): void {
    if (!this.view) return;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => { this.rescanTimer = undefined; void this.refresh(); }, RESCAN_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    const view = this.view;
    if (!view) return;
    this.runs = await this.scan();
    // The page may load only the bundle and the folders of the runs it lists.
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), ...this.runs.map((r) => vscode.Uri.file(r.runDir))],
    };
    const toUri = (file: string) => view.webview.asWebviewUri(vscode.Uri.file(file)).toString();
    this.post({ type: 'runs', runs: this.runs.map((r) => ({ ...r, grids: r.grids?.map((g) => ({ ...g, uri: toUri(g.file) })) })) });
  }

  private post(message: HostToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.refresh();
        return;
      case 'requestRealBatch': {
        const run = this.runs.find((r) => r.runId === m.runId);
        const file = run && realBatchFile(run.runDir);
        if (file && this.view) this.post({ type: 'realBatch', runId: m.runId, image: { kind: 'uri', uri: this.view.webview.asWebviewUri(vscode.Uri.file(file)).toString(), file } });
        else this.post({ type: 'realBatch', runId: m.runId, note: 'This run has no samples/real.png: runs from older versions of the trainer did not write one.' });
        return;
      }
      case 'openDashboard': {
        const run = this.runs.find((r) => r.runId === m.runId);
        const session = this.services.sessionFor(m.runId);
        if (session || run) DashboardPanel.createOrShow(this.extensionUri, session ?? run!.runDir, this.services);
        return;
      }
      case 'compareRuns': {
        // The page names runs by id; the folders are the ones this view listed.
        const dirs = m.runIds.map((id) => this.runs.find((r) => r.runId === id)?.runDir).filter((d): d is string => d !== undefined);
        await vscode.commands.executeCommand('dcgan.compareRuns', dirs);
        return;
      }
      case 'saveGif': {
        const run = this.runs.find((r) => r.runId === m.runId);
        if (!run || !this.services.saveGif) { this.post({ type: 'gifSaved', runId: m.runId, ok: false, message: 'This run is no longer listed.' }); return; }
        try {
          const saved = await this.services.saveGif(run.runDir, run.runId);
          this.post(saved ? { type: 'gifSaved', runId: m.runId, ok: true, file: saved.file, frames: saved.frames } : { type: 'gifSaved', runId: m.runId, ok: false, message: 'Not saved.' });
        } catch (err) {
          this.services.log.error(`Save as GIF (${run.runDir}): ${(err as Error).message}`);
          this.post({ type: 'gifSaved', runId: m.runId, ok: false, message: (err as Error).message });
        }
        return;
      }
      default:
        return;
    }
  }

  dispose(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Registers the side view; the returned disposable also ends its file watcher. */
export function registerSamplesView(extensionUri: vscode.Uri, services: ViewServices): vscode.Disposable {
  const provider = new SamplesViewProvider(extensionUri, services);
  const registration = vscode.window.registerWebviewViewProvider(SamplesViewProvider.viewType, provider);
  return vscode.Disposable.from(registration, provider);
}
