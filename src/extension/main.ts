/**
 * Entry point. activate() is short: build the context, register the command table and the providers, and
 * show an error instead of failing silently. What each piece does lives in its own module.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './commands';
import { ConfigQuickFixes, applyFixToConfig } from './codeActions';
import { Ctx } from './ctx';
import { TrainingStatusBar } from './statusBar';
import * as views from './views';
import { registerViews } from './viewsWiring';

/** What activate() returns: for other extensions and for the extension-host tests. */
export interface DcganApi {
  ctx: Ctx;
  applyFixToConfig: typeof applyFixToConfig;
  statusBar: TrainingStatusBar;
  /** The views module as this extension loaded it (its panels are module state): e.g. views.DashboardPanel.forRun(runDir). */
  views: typeof views;
}

let current: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): DcganApi | undefined {
  try {
    const ctx = new Ctx(context);
    current = ctx;
    for (const [id, factory] of Object.entries(COMMANDS)) {
      const handler = factory(ctx);
      ctx.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          ctx.log.error(`${id} failed: ${e.stack ?? e.message}`);
          void vscode.window.showErrorMessage(`DCGAN: ${e.message}`, 'Show Log').then((c) => c && ctx.log.show());
          return undefined;
        }
      }));
    }
    const configSelector: vscode.DocumentSelector = [
      { scheme: 'file', pattern: '**/dcgan.json' },
      { scheme: 'file', pattern: '**/*.dcgan.json' },
    ];
    ctx.push(vscode.languages.registerCodeActionsProvider(configSelector, new ConfigQuickFixes(ctx.diagnostics), ConfigQuickFixes.metadata));
    const statusBar = ctx.push(new TrainingStatusBar(ctx));
    ctx.views = registerViews(ctx);
    return { ctx, applyFixToConfig, statusBar, views };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    void vscode.window.showErrorMessage(`DCGAN Studio failed to start: ${e.message}. Reinstall the extension, or report it with the "DCGAN Studio" output.`);
    console.error(e);
    return undefined;
  }
}

/** Gives running trainings the chance to stop cleanly and keep their last checkpoint. */
export async function deactivate(): Promise<void> {
  // Local sweeps stop like runs do, keeping their checkpoints ("sweep resume" continues them); Slurm jobs go on.
  await Promise.all([current?.sessions.stopAll(), ...(current?.sweeps.live().filter((s) => s.runner === 'local').map((s) => s.stop(current!.sweeps.cliScript)) ?? [])]);
  current = undefined;
}
