/**
 * The command table: each command is a factory `(ctx) => handler`. main.ts registers them and turns a thrown
 * error into a message. Handlers return what they did (a session, a URI, a result) so that other commands,
 * the views and the extension-host tests can use it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LintResult } from '../protocol';
import { parseConfig, readConfigText, resolveOutputDir } from '../runtime/config/load';
import type { EndEvent } from '../runtime/events';
import { newRunDir } from '../runtime/train/runName';
import { formatProblem } from '../runtime/problem';
import { isConfigUri, resolveConfig, writeNewConfig } from './configFiles';
import type { CommandFactory, Ctx } from './ctx';
import { pickCheckpoint } from './pickCheckpoint';
import { installGpuRuntime, pickGpuRuntime, type GpuRuntimeKind, type InstallResult } from './gpuRuntime';
import { compareRunsCommand, exportGeneratorCommand } from './runCommands';
import { runSweepCommand, stopSweepCommand, tryRemediesCommand } from './sweeps';
import type { TrainingSession } from './session';
import { requireTrust } from './trust';
import { isInsideFolders } from './workspacePaths';


/** Options the Train command accepts from code (views, tests); the UI passes a Uri or nothing. */
export interface TrainCommandOptions {
  /** Dotted config keys to override for this run, e.g. {"training.steps": 3}. */
  overrides?: Record<string, unknown>;
  /** Show the progress notification (default true). */
  notify?: boolean;
  /** Open the dashboard on start (default true). */
  openDashboard?: boolean;
  /** Train even when the data check finds errors. */
  force?: boolean;
}

const train: CommandFactory = (ctx) => async (arg?: unknown, options: TrainCommandOptions = {}): Promise<TrainingSession | undefined> => {
  if (!requireTrust('train', ctx.log)) return undefined;
  const { uri, none } = await resolveConfig(arg, 'Train');
  if (none) {
    const choice = await vscode.window.showInformationMessage('No dcgan.json or *.dcgan.json in this workspace. Create a starter config (built-in MNIST, small and fast)?', 'New Config');
    if (choice) await vscode.commands.executeCommand('dcgan.newConfig');
    return undefined;
  }
  if (!uri) return undefined;

  const running = ctx.sessions.forConfig(uri.fsPath);
  if (running) {
    void vscode.window.showInformationMessage(`${path.basename(uri.fsPath)} is already training (step ${running.step}). One run per config at a time.`, 'Open Dashboard', 'Stop')
      .then((c) => c && vscode.commands.executeCommand(c === 'Stop' ? 'dcgan.stop' : 'dcgan.openDashboard', running.runId));
    return running;
  }

  // Unsaved edits are what the user sees, so they are what trains.
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const text = doc?.getText() ?? readConfigText(uri.fsPath);
  const loaded = parseConfig(text, uri.fsPath);
  if (!loaded.config) {
    const first = loaded.problems[0];
    const choice = await vscode.window.showErrorMessage(`Cannot train: ${first ? formatProblem(first) : `${uri.fsPath} is not a usable config`}`, 'Open Config');
    if (choice) await vscode.window.showTextDocument(uri);
    return undefined;
  }
  // output.dir must stay in the config's folder or the workspace (a cloned repository's config may say otherwise).
  // Named as the CLI's runs are (train/runName.ts), now, so that the dashboard knows the folder from the start.
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const runDir = newRunDir(resolveOutputDir(loaded.config, loaded.baseDir, { roots: folders, configFile: uri.fsPath }), uri.fsPath);
  const session = ctx.sessions.start({
    configFile: uri.fsPath,
    configText: doc?.isDirty ? text : undefined,
    runDir,
    outputRoots: folders,
    overrides: options.overrides,
    notify: options.notify,
    force: options.force,
  });
  if (options.openDashboard !== false) ctx.views?.openDashboard(session);
  void session.done.then((end) => reportEnd(uri, session, end, options));
  return session;
};

async function reportEnd(uri: vscode.Uri, session: TrainingSession, end: EndEvent, options: TrainCommandOptions): Promise<void> {
  const name = path.basename(uri.fsPath);
  if (end.reason === 'completed' || end.reason === 'stopped') {
    if (options.notify === false) return;
    const choice = await vscode.window.showInformationMessage(`DCGAN: ${name} ${end.reason} at step ${end.step}.${end.checkpoint ? ' The last checkpoint is kept.' : ''}`, 'Open Dashboard');
    if (choice) await vscode.commands.executeCommand('dcgan.openDashboard', session.runId);
    return;
  }
  // The trainer refuses data with lint errors (e.g. [0,255] into tanh) unless forced: offer both ways out.
  const refusedData = /dataset check found/.test(end.message ?? '');
  const buttons = refusedData ? ['Show Problems', 'Train Anyway'] : ['Show Log'];
  const choice = await vscode.window.showErrorMessage(`DCGAN: training ${name} ${end.reason === 'non-finite' ? 'stopped on NaN/Inf' : 'failed'}: ${end.message ?? 'see the log'}`, ...buttons);
  if (choice === 'Show Problems') {
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
  } else if (choice === 'Train Anyway') {
    await vscode.commands.executeCommand('dcgan.train', uri, { ...options, force: true });
  } else if (choice === 'Show Log') {
    session.showLog();
  }
}

const stop: CommandFactory = (ctx) => async (arg?: unknown): Promise<EndEvent | undefined> => {
  const live = ctx.sessions.live();
  let session: TrainingSession | undefined;
  if (typeof arg === 'string') session = ctx.sessions.get(arg);
  else if (arg instanceof vscode.Uri) session = ctx.sessions.forConfig(arg.fsPath);
  else if (live.length === 1) session = live[0];
  else if (live.length > 1) {
    const picked = await vscode.window.showQuickPick(live.map((s) => ({ label: path.basename(s.configFile), description: `run ${s.runId}, step ${s.step}`, s })), { title: 'DCGAN: Stop Training' });
    session = picked?.s;
    if (!picked) return undefined;
  }
  if (!session || !session.live) {
    void vscode.window.showInformationMessage('DCGAN: no training is running.');
    return undefined;
  }
  return session.stop();
};

const newConfig: CommandFactory = () => async (folder?: unknown, name?: unknown): Promise<vscode.Uri | undefined> => {
  let dir: vscode.Uri | undefined;
  if (folder instanceof vscode.Uri) dir = (await vscode.workspace.fs.stat(folder)).type & vscode.FileType.Directory ? folder : vscode.Uri.joinPath(folder, '..');
  return writeNewConfig(dir, typeof name === 'string' ? name : undefined);
};

/**
 * Lints a config's data (refreshing its diagnostics), or a bare dataset (.npy, .npz, IDX or an image folder) as
 * fed as-is to a tanh generator, the way `dcgan-studio lint <dataset>` does.
 */
const lintDataset: CommandFactory = (ctx) => async (arg?: unknown): Promise<LintResult | undefined> => {
  let target = arg instanceof vscode.Uri ? arg : undefined;
  if (!target) {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (isConfigUri(active)) target = active;
  }
  if (!target) {
    const picked = await vscode.window.showOpenDialog({
      title: 'DCGAN: Lint Dataset', canSelectFiles: true, canSelectFolders: true, canSelectMany: false,
      filters: { 'Datasets': ['npy', 'npz', 'gz', 'idx3-ubyte', 'ubyte'], 'All files': ['*'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    target = picked?.[0];
    if (!target) return undefined;
  }
  if (isConfigUri(target)) {
    const doc = await vscode.workspace.openTextDocument(target);
    const problems = await ctx.diagnostics.lint(doc);
    report(ctx, path.basename(target.fsPath), { problems });
    return { problems };
  }
  const dataset = target.fsPath;
  const configText = JSON.stringify({ data: { path: dataset, scale: 'none' } });
  // The lint resolves paths against the config's folder; the config is virtual, next to the data.
  const virtualConfig = path.join(path.dirname(dataset), '(lint).dcgan.json');
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `DCGAN: linting ${path.basename(dataset)}` },
    () => ctx.jobs.lint(virtualConfig, configText),
  );
  ctx.diagnostics.setDatasetProblems(target, result.problems);
  report(ctx, path.basename(dataset), result);
  return result;
};

function report(ctx: Ctx, name: string, result: LintResult): void {
  ctx.log.info(`Lint of ${name}: ${result.problems.length} problem(s)${result.stats ? `; stats ${JSON.stringify(result.stats)}` : ''}`);
  for (const p of result.problems) ctx.log[p.severity === 'error' ? 'error' : p.severity === 'warning' ? 'warn' : 'info'](`  ${formatProblem(p)}`);
  const errors = result.problems.filter((p) => p.severity === 'error');
  const warnings = result.problems.filter((p) => p.severity === 'warning');
  if (errors.length + warnings.length === 0) {
    void vscode.window.showInformationMessage(`DCGAN: ${name} looks fine for training.`);
    return;
  }
  const first = errors[0] ?? warnings[0];
  const show = errors.length > 0 ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  void show(`DCGAN: ${name}: ${errors.length} error(s), ${warnings.length} warning(s). ${first.message}`, 'Show Problems', 'Show Log').then((c) => {
    if (c === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    if (c === 'Show Log') ctx.log.show();
  });
}

const openDashboard: CommandFactory = (ctx) => async (arg?: unknown): Promise<boolean> => {
  // A run id of this window's sessions, or a run folder on disk (from the side view), or the current run.
  const session = typeof arg === 'string' ? ctx.sessions.get(arg) : ctx.sessions.current;
  // A run folder given by path must lie inside the workspace: it becomes a localResourceRoot of the dashboard.
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const runDir = typeof arg === 'string' && !session && isInsideFolders(arg, folders) ? arg : undefined;
  if (!ctx.views) {
    void vscode.window.showWarningMessage('DCGAN: the dashboard is not available in this build. The run\'s log is in the "DCGAN Studio" output.');
    ctx.log.show(true);
    return false;
  }
  if (!session && !runDir) {
    void vscode.window.showInformationMessage('DCGAN: no run to show yet. Run "DCGAN: Train", or pick a past run in the DCGAN side bar.', 'Train')
      .then((c) => c && vscode.commands.executeCommand('dcgan.train'));
    return false;
  }
  ctx.views.openDashboard(session ?? runDir!);
  return true;
};

/** Draws a grid from a checkpoint's generator (in the job worker), writes it as a PNG in the run folder, opens it. */
const generateSamples: CommandFactory = (ctx) => async (arg?: unknown, options: { count?: number; seed?: number } = {}): Promise<vscode.Uri | undefined> => {
  // Sampling loads a backend and a checkpoint from the workspace, and writes a PNG into it (issue 12, finding 3).
  if (!requireTrust('generate samples', ctx.log)) return undefined;
  const checkpoint = arg instanceof vscode.Uri ? arg.fsPath : await pickCheckpoint();
  if (!checkpoint) return undefined;
  if (!fs.existsSync(path.join(checkpoint, 'manifest.json'))) {
    throw new Error(`${checkpoint} is not a checkpoint folder (it has no manifest.json). Pick a folder under <run>/checkpoints/.`);
  }
  const parent = path.dirname(checkpoint);
  const runDir = path.basename(parent) === 'checkpoints' ? path.dirname(parent) : parent;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const out = path.join(runDir, 'generated', `${path.basename(checkpoint)}-${stamp}.png`);
  // The worker makes <run>/generated, refusing it when it is a link (outRoot: checked from the run folder down).
  const file = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DCGAN: sampling ${path.basename(checkpoint)}` },
    () => ctx.jobs.sample({ checkpoint, count: options.count ?? 64, seed: options.seed, out, outRoot: runDir, searchPaths: ctx.backendSearchPaths(), wasmDir: ctx.distDir }),
  );
  const uri = vscode.Uri.file(file);
  await vscode.commands.executeCommand('vscode.open', uri);
  return uri;
};

/** With no argument, asks which runtime (WebGPU first); tests and links pass 'webgpu' or 'cuda'. */
const installGpu: CommandFactory = (ctx) => async (which?: GpuRuntimeKind): Promise<InstallResult | undefined> => {
  const kind = which === 'webgpu' || which === 'cuda' ? which : await pickGpuRuntime();
  if (!kind) return undefined;
  const result = await installGpuRuntime(ctx, kind);
  if (result.ok) void vscode.window.showInformationMessage(`DCGAN: ${result.message}`);
  else if (result.cancelled) void vscode.window.showWarningMessage(`DCGAN: ${result.message}`);
  else {
    ctx.log.error(result.message);
    void vscode.window.showErrorMessage(`DCGAN: ${result.message}`, 'Show Log').then((c) => c && ctx.log.show());
  }
  return result;
};

export const COMMANDS: Readonly<Record<string, CommandFactory>> = {
  'dcgan.train': train,
  'dcgan.stop': stop,
  'dcgan.lintDataset': lintDataset,
  'dcgan.newConfig': newConfig,
  'dcgan.openDashboard': openDashboard,
  'dcgan.generateSamples': generateSamples,
  'dcgan.installGpuRuntime': installGpu,
  'dcgan.compareRuns': compareRunsCommand,
  'dcgan.exportGenerator': exportGeneratorCommand,
  'dcgan.runSweep': runSweepCommand,
  'dcgan.stopSweep': stopSweepCommand,
  'dcgan.tryRemedies': tryRemediesCommand,
};
