/**
 * Connects the views (src/extension/views: dashboard panel, "Samples" side view) to the sessions and the
 * config fixes, through the narrow ViewServices interface they ask for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyFixToConfig } from './codeActions';
import type { Ctx, ViewsHooks } from './ctx';
import { saveRunGif } from './runCommands';
import { tryRemedies } from './sweeps';
import { ComparePanel, DashboardPanel, registerCompareSerializer, registerDashboardSerializer, registerSamplesView, type ViewServices } from './views';

export function registerViews(ctx: Ctx): ViewsHooks {
  const services: ViewServices = {
    sessionFor: (runId) => ctx.sessions.get(runId),
    onDidStartSession: ctx.sessions.onDidStart,
    applyFix: async (configFile, fix) => {
      if (!fs.existsSync(configFile)) throw new Error(`The config ${configFile} no longer exists, so "${fix.title}" cannot be applied.`);
      const ok = await applyFixToConfig(vscode.Uri.file(configFile), fix);
      if (!ok) throw new Error(`"${fix.title}" changes nothing in ${path.basename(configFile)}: it is applied already.`);
      ctx.log.info(`Applied "${fix.title}" to ${configFile}`);
    },
    log: ctx.log,
    saveGif: (runDir, runId) => saveRunGif(runDir, runId),
    tryRemedies: (configFile, problem) => tryRemedies(ctx, configFile, problem),
    sweepLive: (dir) => ctx.sweeps.isLive(dir),
    onDidChangeSweeps: ctx.sweeps.onDidChange,
  };
  ctx.push(registerDashboardSerializer(ctx.extensionUri, services));
  ctx.push(registerSamplesView(ctx.extensionUri, services));
  ctx.push(registerCompareSerializer(ctx.extensionUri, services, ctx.extensionContext.workspaceState));
  return {
    openDashboard: (run) => { DashboardPanel.createOrShow(ctx.extensionUri, run, services); },
    openCompare: (runDirs) => { ComparePanel.createOrShow(ctx.extensionUri, runDirs, services, ctx.extensionContext.workspaceState); },
    openCompareSweep: (sweepDir) => { ComparePanel.createOrShow(ctx.extensionUri, [], services, ctx.extensionContext.workspaceState, sweepDir); },
  };
}
