/** "Which checkpoint?": the workspace's checkpoints, newest first, or a folder dialog (Generate Samples, Export Generator). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export async function pickCheckpoint(title = 'DCGAN: Generate Samples'): Promise<string | undefined> {
  const manifests = await vscode.workspace.findFiles('**/checkpoints/*/manifest.json', '**/node_modules/**', 500);
  const dirs = manifests.map((m) => path.dirname(m.fsPath));
  const mtime = (d: string) => { try { return fs.statSync(d).mtimeMs; } catch { return 0; } };
  dirs.sort((a, b) => mtime(b) - mtime(a));
  const browse = { label: '$(folder-opened) Browse…', dir: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick(
    [...dirs.map((dir) => ({ label: path.basename(dir), description: vscode.workspace.asRelativePath(path.dirname(path.dirname(dir))), dir })), browse],
    { title, placeHolder: dirs.length ? 'Which checkpoint?' : 'No checkpoints found in the workspace: browse for one' },
  );
  if (!picked) return undefined;
  if (picked.dir) return picked.dir;
  const chosen = await vscode.window.showOpenDialog({ title: 'Checkpoint folder (with manifest.json)', canSelectFolders: true, canSelectFiles: false });
  return chosen?.[0]?.fsPath;
}
