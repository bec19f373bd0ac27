/**
 * Finding the config to train (dcgan.json or *.dcgan.json), and writing a new one.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../runtime/outputFiles';
import { outputRootIn } from './workspacePaths';
import { isConfigFileName } from '../runtime/config/load';

export const CONFIG_GLOB = '**/{dcgan.json,*.dcgan.json}';
const EXCLUDE_GLOB = '**/{node_modules,.git,dist,out}/**';

export function isConfigUri(uri: vscode.Uri | undefined): boolean {
  return uri !== undefined && isConfigFileName(uri.fsPath);
}

export async function findConfigs(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, EXCLUDE_GLOB, 200);
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/**
 * The config a command should act on: the one it was given (explorer/editor menu), else the active editor's,
 * else the only one in the workspace, else the user's pick. Undefined when there is none or the user cancelled;
 * `none` tells the caller which.
 */
export async function resolveConfig(arg: unknown, purpose: string): Promise<{ uri?: vscode.Uri; none?: boolean }> {
  if (arg instanceof vscode.Uri && isConfigUri(arg)) return { uri: arg };
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isConfigUri(active) && active.scheme === 'file') return { uri: active };
  const configs = await findConfigs();
  if (configs.length === 0) return { none: true };
  if (configs.length === 1) return { uri: configs[0] };
  const picked = await vscode.window.showQuickPick(
    configs.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri })),
    { title: `DCGAN: ${purpose}`, placeHolder: 'Which config?' },
  );
  return { uri: picked?.uri };
}

/**
 * The starter config: built-in MNIST, a model small enough to show digit-like strokes within minutes on a
 * laptop CPU. Comments explain the keys a new user changes first; hover shows the rest (the JSON schema).
 */
export const STARTER_CONFIG = `// DCGAN Studio config (JSON with comments). Hover a key for its documentation,
// Ctrl+Space lists the other keys. Run "DCGAN: Train" to start, "DCGAN: Open Dashboard" to watch.
{
  "data": {
    // A .npy/.npz/IDX file or a folder of PNG/JPEG images, relative to this file,
    // or "builtin:mnist" for the 10,000 handwritten digits that ship with the extension.
    "path": "builtin:mnist",
    // "auto" maps 8-bit data from [0,255] onto the generator's output range ([-1,1] for tanh).
    // "none" feeds the data as it is: only when it is already in that range.
    "scale": "auto"
  },
  "model": {
    // Small networks train fast on a CPU (digits in about 5 minutes on 2 cores);
    // use 64 for both on a GPU.
    "generatorFilters": 16,
    "discriminatorFilters": 16
  },
  "training": {
    "batchSize": 32,
    "steps": 3000,
    // Ten times the DCGAN paper's 2e-4, for these small networks; samples come from the
    // generator's weight average (generatorAverage). Use 0.0002 for 64 filters and up.
    "learningRate": 0.002,
    "beta1": 0.5,
    "generatorAverage": 0.999,
    "seed": 42
  },
  "output": {
    // Each run writes its sample grids, checkpoints and metrics into a new folder under this one.
    "dir": "runs",
    "sampleEvery": 100,
    "checkpointEvery": 500
  }
}
`;

/**
 * Writes a starter config into `folder` (default: the first workspace folder) as `name` (default dcgan.json,
 * or asks for a name when that exists) and opens it. Returns its URI, or undefined when cancelled.
 */
export async function writeNewConfig(folder?: vscode.Uri, name?: string): Promise<vscode.Uri | undefined> {
  const dir = folder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!dir) {
    void vscode.window.showErrorMessage('DCGAN: New Config needs an open folder to write dcgan.json into. Open a folder (File → Open Folder) and run it again.');
    return undefined;
  }
  let fileName = name;
  if (!fileName) {
    fileName = 'dcgan.json';
    if (await exists(vscode.Uri.joinPath(dir, fileName))) {
      fileName = await vscode.window.showInputBox({
        title: 'DCGAN: New Config',
        prompt: `${vscode.workspace.asRelativePath(vscode.Uri.joinPath(dir, 'dcgan.json'))} exists. Name the new config (it must end in .dcgan.json).`,
        value: 'experiment.dcgan.json',
        validateInput: (v) => (isConfigFileName(v) ? undefined : 'The name must be dcgan.json or end in .dcgan.json, so that the schema and the Train command find it.'),
      });
      if (!fileName) return undefined;
    }
  }
  if (!isConfigFileName(fileName)) throw new Error(`"${fileName}" is not a config name: use dcgan.json or a name ending in .dcgan.json.`);
  const target = vscode.Uri.joinPath(dir, fileName);
  if (await exists(target)) throw new Error(`${target.fsPath} exists already; choose another name.`);
  if (target.scheme === 'file') {
    // The atomic writer, checked from the workspace folder down: no link on the way is written through.
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    writeFileAtomic(outputRootIn(dir.fsPath, folders), target.fsPath, STARTER_CONFIG);
  } else {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(STARTER_CONFIG));
  }
  await vscode.window.showTextDocument(target);
  return target;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
