/**
 * Commands on finished (or running) runs: DCGAN: Compare Runs, DCGAN: Export Generator, and the side view's
 * "Save as GIF". Each reads run folders or checkpoints, which may come from anywhere (a cloned repository's
 * runs/), so each needs a trusted workspace; the runtime (src/runtime/runs) does the reading, bounded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MAX_COMPARED_RUNS } from '../protocol';
import { isSweepDir } from '../runtime/sweep';
import { animateRun, exportGenerator, gifFileName, summarizeRun, writeGif, type ExportResult } from '../runtime/runs';
import type { CommandFactory } from './ctx';
import { pickCheckpoint } from './pickCheckpoint';
import { requireTrust } from './trust';
import { outputRootIn } from './workspacePaths';

/** Frames per second of "Save as GIF": the side view's Play rate, so the file looks like what the user saw. */
const GIF_FPS = 4;
const RUN_SCAN_LIMIT = 400;

function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** Run folders in the workspace (those with a run.json), newest first. */
async function workspaceRuns(): Promise<{ dir: string; runId: string; status: string; startedAt?: string; step?: number; configFile?: string }[]> {
  const files = await vscode.workspace.findFiles('**/run.json', '**/node_modules/**', RUN_SCAN_LIMIT);
  const runs = files
    .map((f) => path.dirname(f.fsPath))
    .filter((dir) => fs.existsSync(path.join(dir, 'metrics.jsonl')))
    .map((dir) => ({ dir, ...summarizeRun(dir) }));
  return runs.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}

/** Folders named by the arguments: a list of paths or URIs, or the explorer's (clicked, selected[]) pair. */
function dirsFromArgs(args: unknown[]): string[] {
  const out: string[] = [];
  const add = (x: unknown) => {
    if (typeof x === 'string') out.push(x);
    else if (x instanceof vscode.Uri && x.scheme === 'file') out.push(x.fsPath);
    else if (Array.isArray(x)) x.forEach(add);
  };
  args.forEach(add);
  return [...new Set(out.map((d) => path.resolve(d)))];
}

export const compareRunsCommand: CommandFactory = (ctx) => async (...args: unknown[]): Promise<string[] | undefined> => {
  if (!requireTrust('compare runs', undefined, 'it reads run folders (metrics, configs, checkpoints, sample grids), which may come from anyone.')) return undefined;
  let dirs = dirsFromArgs(args);
  // A sweep folder (the explorer, the side view's sweep node, "Try these remedies" when done): its ranking.
  if (dirs.length === 1 && isSweepDir(dirs[0])) {
    if (!ctx.views) throw new Error('the Compare Runs panel is not available in this build.');
    ctx.views.openCompareSweep(dirs[0]);
    return dirs;
  }
  if (dirs.length < 2) {
    const runs = await workspaceRuns();
    if (runs.length < 2) {
      const choice = await vscode.window.showInformationMessage(`DCGAN: Compare Runs needs two runs; this workspace has ${runs.length === 0 ? 'none' : 'one'}. Train a config twice (change one setting in between) and compare.`, 'Train');
      if (choice) await vscode.commands.executeCommand('dcgan.train');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({
        label: r.runId,
        description: `${r.status}${r.step !== undefined ? ` · step ${r.step}` : ''}`,
        detail: vscode.workspace.asRelativePath(r.dir),
        picked: dirs.includes(path.resolve(r.dir)),
        dir: r.dir,
      })),
      { title: 'DCGAN: Compare Runs', placeHolder: `Tick 2 to ${MAX_COMPARED_RUNS} runs`, canPickMany: true, matchOnDetail: true },
    );
    if (!picked) return undefined;
    dirs = picked.map((p) => path.resolve(p.dir));
  }
  if (dirs.length < 2 || dirs.length > MAX_COMPARED_RUNS) {
    void vscode.window.showWarningMessage(`DCGAN: Compare Runs takes 2 to ${MAX_COMPARED_RUNS} runs; ${dirs.length} ${dirs.length === 1 ? 'was' : 'were'} picked.`);
    return undefined;
  }
  if (!ctx.views) throw new Error('the Compare Runs panel is not available in this build.');
  ctx.views.openCompare(dirs);
  return dirs;
};

/** Options from code (tests, other extensions); the UI passes a checkpoint folder Uri or nothing. */
export interface ExportCommandOptions {
  /** Folder to write model.json and the weight shards into; otherwise the user picks one. */
  outDir?: string;
  /** Export the trained generator instead of its weight average. */
  raw?: boolean;
  /** Report with a notification (default true). */
  notify?: boolean;
}

export const exportGeneratorCommand: CommandFactory = (ctx) => async (arg?: unknown, options: ExportCommandOptions = {}): Promise<ExportResult | undefined> => {
  if (!requireTrust('export a generator', undefined, 'it reads a checkpoint (its manifest and weights), which may come from anyone.')) return undefined;
  const checkpoint = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : await pickCheckpoint('DCGAN: Export Generator');
  if (!checkpoint) return undefined;
  if (!fs.existsSync(path.join(checkpoint, 'manifest.json'))) {
    throw new Error(`${checkpoint} is not a checkpoint folder (it has no manifest.json). Pick a folder under <run>/checkpoints/.`);
  }
  let outDir = options.outDir;
  if (!outDir) {
    const parent = path.dirname(checkpoint);
    const runDir = path.basename(parent) === 'checkpoints' ? path.dirname(parent) : parent;
    const chosen = await vscode.window.showOpenDialog({
      title: `DCGAN: Export Generator of ${path.basename(checkpoint)}: the folder for model.json and its weights`,
      canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Export Here',
      defaultUri: vscode.Uri.file(runDir),
    });
    outDir = chosen?.[0]?.fsPath;
    if (!outDir) return undefined;
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DCGAN: exporting the generator of ${path.basename(checkpoint)}` },
    () => exportGenerator(checkpoint, outDir!, { raw: options.raw, generatedBy: 'DCGAN Studio for VS Code', outRoot: outputRootIn(outDir!, workspaceFolderPaths()) }),
  );
  const m = result.metadata;
  const what = m.generator === 'average' ? 'generator average' : 'trained generator';
  const summary = `Exported the ${what} of step ${m.step} (z: ${m.latentDim} numbers → ${m.imageShape.join('×')} images) to ${result.outDir}: model.json + ${result.weightFiles.length} weight file(s), ${(result.bytes / 1024).toFixed(0)} KB. Load it with tf.loadGraphModel.`;
  ctx.log.info(`${summary}${result.note ? ` ${result.note}` : ''}`);
  if (options.notify !== false) {
    void vscode.window.showInformationMessage(`DCGAN: ${summary}${result.note ? ` ${result.note}` : ''}`, 'Reveal').then((c) => c && revealFile(result.modelFile));
  }
  return result;
};

/** The explorer when the file is in the workspace, else the OS file manager. */
async function revealFile(file: string): Promise<void> {
  const uri = vscode.Uri.file(file);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

/**
 * The side view's "Save as GIF": asks where (a save dialog, next to the run by default), writes the run's grids
 * as an animated GIF. Undefined when the user cancelled; throws with a message for the user otherwise.
 */
export async function saveRunGif(runDir: string, runId: string, saveAs?: string): Promise<{ file: string; frames: number } | undefined> {
  if (!requireTrust('save a GIF of a run', undefined, 'it reads the run\'s sample grids, which may come from anyone.')) throw new Error('The workspace is not trusted: no GIF was written.');
  let file = saveAs;
  if (!file) {
    const target = await vscode.window.showSaveDialog({
      title: `DCGAN: save the sample grids of ${runId} as an animated GIF`,
      // The run id comes from run.json: only a safe base name of it goes into the path.
      defaultUri: vscode.Uri.file(path.join(runDir, gifFileName(runId))),
      filters: { 'Animated GIF': ['gif'] },
      saveLabel: 'Save GIF',
    });
    file = target?.fsPath;
    if (!file) return undefined;
  }
  const animation = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DCGAN: writing the timeline of ${runId} as a GIF` },
    () => animateRun(runDir, { fps: GIF_FPS }),
  );
  writeGif(outputRootIn(file, workspaceFolderPaths()), file, animation.gif);
  return { file, frames: animation.frames.length };
}
