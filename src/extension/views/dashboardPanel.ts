/**
 * The dashboard of one run: a WebviewPanel per run folder (createOrShow reveals the open one), revived after a
 * window reload by the serializer from the state the page saved (its runDir). Thin: the page does the drawing,
 * runtime/runs the reading (readRunHistory), messages.ts the event → message mapping, and the webview base
 * (webviewPage.ts) the HTML, the guarded receive and disposal.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { gridPayloadFromImage, type DashboardToHost, type DashboardToWebview, type RunSummary } from '../../protocol';
import { WebviewPage } from './webviewPage';
import { liveEventMessages } from './messages';
import { listGrids, readRunHistory } from '../../runtime/runs';
import type { LiveRun, ViewServices } from './services';
import { checkRemedy, describeEdits, SentProblems } from '../remedies';
import { requireTrust, untrustedMessage } from '../trust';
import { revivedRunDir } from '../workspacePaths';

function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export class DashboardPanel extends WebviewPage<'dashboard'> {
  static readonly viewType = 'dcgan.dashboard';
  private static readonly open = new Map<string, DashboardPanel>();

  private liveListener: vscode.Disposable | undefined;
  private session: LiveRun | undefined;
  /** The problems this page was sent: a remedy button names one of their fixes by index. */
  private readonly sent = new SentProblems();
  /** The run the page shows, and, for a run read from disk, the config its run.json names (checked before use). */
  private shownRunId: string | undefined;
  private diskConfigFile: string | undefined;

  /** Reveals the dashboard of `run` (a session, or a run folder on disk), creating it when none is open. */
  static createOrShow(extensionUri: vscode.Uri, run: LiveRun | string, services: ViewServices): DashboardPanel {
    const runDir = path.resolve(typeof run === 'string' ? run : run.runDir);
    const existing = DashboardPanel.open.get(runDir);
    if (existing) {
      if (typeof run !== 'string' && existing.session !== run) existing.attach(run);
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      DashboardPanel.viewType,
      `DCGAN: ${path.basename(runDir)}`,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(extensionUri, runDir),
    );
    return new DashboardPanel(panel, extensionUri, runDir, services, typeof run === 'string' ? undefined : run);
  }

  /** Called by the serializer with the state the page saved; an unknown state closes into an explanation. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown, services: ViewServices): DashboardPanel | undefined {
    const saved = typeof state === 'object' && state !== null ? (state as { runDir?: unknown }).runDir : undefined;
    if (typeof saved !== 'string') {
      panel.webview.html = `<!DOCTYPE html><html><body><p>This dashboard was closed before its run started, so there is nothing to restore. Close it and run "DCGAN: Open Dashboard".</p></body></html>`;
      return undefined;
    }
    // The saved state comes from the page: its runDir becomes a localResourceRoot only inside the workspace.
    const runDir = revivedRunDir(state, workspaceFolderPaths());
    if (!runDir) {
      services.log.warn(`dashboard: not restoring ${JSON.stringify(saved).slice(0, 200)}: it is not a run folder inside this workspace`);
      panel.webview.html = `<!DOCTYPE html><html><body><p>This dashboard showed a run folder that is not inside this workspace (or no longer exists), so it is not restored. Close it, and open the run with "DCGAN: Open Dashboard" or from the DCGAN side bar.</p></body></html>`;
      return undefined;
    }
    const key = runDir;
    DashboardPanel.open.get(key)?.panel.dispose();
    panel.webview.options = webviewOptions(extensionUri, key);
    const runId = path.basename(key);
    return new DashboardPanel(panel, extensionUri, key, services, services.sessionFor(runId));
  }

  static forRun(runDir: string): DashboardPanel | undefined {
    return DashboardPanel.open.get(path.resolve(runDir));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly runDir: string,
    private readonly services: ViewServices,
    session: LiveRun | undefined,
  ) {
    super('dashboard', extensionUri, services.log);
    DashboardPanel.open.set(runDir, this);
    this.session = session;
    this.attachWebview(panel.webview);
    this.renderPage(`DCGAN: ${path.basename(runDir)}`);
    this.disposables.push(panel.onDidDispose(() => this.dispose()));
  }

  private attach(session: LiveRun): void {
    this.session = session;
    void this.sendInit();
  }

  /** Every message to the page passes here: the problems it is sent are what a remedy button may name. */
  protected override post(message: DashboardToWebview): Thenable<boolean> {
    if (message.type === 'init') {
      this.sent.clear();
      this.shownRunId = message.run.runId;
      for (const e of message.history) if (e.event === 'problem') this.sent.note(e);
      for (const p of message.problems) this.sent.note(p);
    } else if (message.type === 'event' && message.event.event === 'problem') {
      this.sent.note(message.event);
    }
    return super.post(message);
  }

  private withUris(run: RunSummary): RunSummary {
    return { ...run, grids: run.grids?.map((g) => ({ ...g, uri: this.toUri(g.file) })) };
  }

  private async sendInit(): Promise<void> {
    this.liveListener?.dispose();
    this.liveListener = undefined;
    const s = this.session;
    if (s) {
      const run = s.summary();
      void this.post({ type: 'init', run: this.withUris(run), history: s.history.events(), problems: [...s.problems] });
      const latest = s.history.latestGrid;
      if (latest) void this.post({ type: 'grid', runId: run.runId, step: latest.step, image: gridPayloadFromImage(latest.grid) });
      this.liveListener = s.onEvent((e) => {
        for (const m of liveEventMessages(s.runId, e)) void this.post(m);
        if (e.event === 'end') void this.post({ type: 'runUpdated', run: this.withUris(s.summary()) });
      });
      return;
    }
    try {
      const folder = await readRunHistory(this.runDir);
      this.diskConfigFile = folder.summary.configFile;
      if (folder.skippedLines) this.services.log.warn(`${this.runDir}/metrics.jsonl: skipped ${folder.skippedLines} line(s) that were not training events`);
      void this.post({ type: 'init', run: this.withUris(folder.summary), history: folder.history, problems: folder.problems });
    } catch (err) {
      this.services.log.error(`dashboard: ${(err as Error).message}`);
      void vscode.window.showErrorMessage((err as Error).message);
    }
  }

  protected async onMessage(m: DashboardToHost): Promise<DashboardToWebview | undefined> {
    switch (m.type) {
      case 'ready':
        await this.sendInit();
        return undefined;
      case 'stop':
        await this.session?.stop();
        return undefined;
      case 'applyFix': {
        const reply = await this.applyFix(m);
        void this.post(reply);
        return reply;
      }
      case 'tryRemedies': {
        // As for applyFix: the fixes are those this page was sent for the code, the config the run's own.
        const problem = m.runId === this.shownRunId ? this.sent.problem(m.code) : undefined;
        const outcome = !problem ? { ok: false, message: `This dashboard was not sent ${m.code} for run ${m.runId}; reopen it and try again.` }
          : !this.services.tryRemedies ? { ok: false, message: 'Remedy trials are not available in this build.' }
          : await this.services.tryRemedies(this.session?.configFile ?? this.diskConfigFile, problem);
        const reply: DashboardToWebview = { type: 'remediesStarted', code: m.code, ...outcome };
        void this.post(reply);
        return reply;
      }
      case 'requestGrid': {
        const file = this.session?.history.samples.find((g) => g.step === m.step)?.file ?? listGrids(this.runDir).find((g) => g.step === m.step)?.file;
        if (file) void this.post({ type: 'grid', runId: m.runId, step: m.step, image: { kind: 'uri', uri: this.toUri(file), file } });
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * A remedy button: the fix is the one this page was sent for that code, and the file is the
   * run's config as the host knows it. A live or recent session of this window names its own config file; a run
   * read from disk names one in its run.json, which may come from a cloned repository, so it is used only in a
   * trusted workspace and only when it is one of the workspace's own configs. Either way the file must be a
   * dcgan.json or *.dcgan.json inside a workspace folder, and the edits schema keys with valid values.
   */
  private async applyFix(m: Extract<DashboardToHost, { type: 'applyFix' }>): Promise<Extract<DashboardToWebview, { type: 'fixApplied' }>> {
    const fix = m.runId === this.shownRunId ? this.sent.fix(m.code, m.fixIndex) : undefined;
    const answer = (ok: boolean, title: string, message?: string) => ({ type: 'fixApplied' as const, code: m.code, title, ok, message });
    if (!fix) return answer(false, `remedy ${m.fixIndex + 1}`, `This dashboard was not sent that remedy for run ${m.runId}; reopen the dashboard and try again.`);
    if (!requireTrust('apply remedies', this.services.log)) return answer(false, fix.title, untrustedMessage('apply remedies'));
    const target = this.session?.configFile ?? this.diskConfigFile;
    const refused = checkRemedy(target ?? '', fix, workspaceFolderPaths());
    if (refused) {
      this.services.log.warn(`dashboard ${path.basename(this.runDir)}: refused "${fix.title}" for ${target ?? '(no config)'}: ${refused}`);
      return answer(false, fix.title, `${target ? refused : 'This run names no config file.'} To apply it by hand: ${describeEdits(fix)}.`);
    }
    try {
      await this.services.applyFix(target!, fix);
      return answer(true, fix.title);
    } catch (err) {
      return answer(false, fix.title, (err as Error).message);
    }
  }

  override dispose(): void {
    if (DashboardPanel.open.get(this.runDir) === this) DashboardPanel.open.delete(this.runDir);
    this.liveListener?.dispose();
    super.dispose();
    this.panel.dispose();
  }
}

/** Scripts on; local files limited to the bundle folder and this run's folder (its sample PNGs). */
export function webviewOptions(extensionUri: vscode.Uri, ...runDirs: string[]): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), ...runDirs.map((d) => vscode.Uri.file(d))],
  };
}

/** Brings dashboards back after a window reload; register once in activate(). */
export function registerDashboardSerializer(extensionUri: vscode.Uri, services: ViewServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(DashboardPanel.viewType, {
    async deserializeWebviewPanel(panel, state) {
      DashboardPanel.revive(panel, extensionUri, state, services);
    },
  });
}
