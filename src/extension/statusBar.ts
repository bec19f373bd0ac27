/**
 * The status bar item: the current run's step, it/s and ETA; clicking it opens the dashboard.
 * It follows whichever run started last, and shows how a run ended for a short while after it ends.
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { formatProgress, type TrainingSession } from './session';

/** How long the "ended" state stays visible. */
const ENDED_VISIBLE_MS = 15_000;
/** Redraw at most this often: step events can come many times a second on a GPU. */
const REFRESH_MS = 500;

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('dcgan.training', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private sessionListener: vscode.Disposable | undefined;
  private hideTimer: NodeJS.Timeout | undefined;
  private lastDraw = 0;

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'DCGAN Training';
    this.disposables.push(ctx.sessions.onDidStart((s) => this.follow(s)));
    this.disposables.push(ctx.sessions.onDidEnd((s) => this.ended(s)));
  }

  /** The text shown now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  private follow(session: TrainingSession): void {
    clearTimeout(this.hideTimer);
    this.sessionListener?.dispose();
    this.sessionListener = session.onEvent((e) => {
      if (e.event === 'step' && Date.now() - this.lastDraw < REFRESH_MS) return;
      this.draw(session);
    });
    this.item.command = { title: 'Open Dashboard', command: 'dcgan.openDashboard', arguments: [session.runId] };
    this.draw(session);
    this.item.show();
  }

  private draw(session: TrainingSession): void {
    this.lastDraw = Date.now();
    this.item.text = `$(loading~spin) DCGAN ${formatProgress(session)}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**DCGAN Studio**: training \`${session.configFile}\`\n\nRun \`${session.runId}\`` +
      `${session.history.start ? `, backend ${session.history.start.backend.name}` : ''}\n\nClick to open the dashboard.`,
    );
  }

  private ended(session: TrainingSession): void {
    // Another run may have started since; keep showing that one.
    const live = this.ctx.sessions.live();
    if (live.length > 0) { this.follow(live[live.length - 1]); return; }
    this.sessionListener?.dispose();
    this.sessionListener = undefined;
    const end = session.end;
    const icon = end?.reason === 'completed' ? '$(check)' : end?.reason === 'stopped' ? '$(debug-stop)' : '$(error)';
    this.item.text = `${icon} DCGAN ${end?.reason ?? 'ended'} at step ${end?.step ?? session.step}`;
    this.item.command = { title: 'Open Dashboard', command: 'dcgan.openDashboard', arguments: [session.runId] };
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => this.item.hide(), ENDED_VISIBLE_MS);
  }

  dispose(): void {
    clearTimeout(this.hideTimer);
    this.sessionListener?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
