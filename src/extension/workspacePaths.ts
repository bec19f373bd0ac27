/**
 * Is a path inside the workspace? Symlinks are resolved on both sides first, so that a link inside a cloned
 * repository cannot stand for a folder outside it. No vscode import: the callers pass the workspace folders'
 * paths, and the unit tests use the same code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function real(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** True when `p` exists and, with symlinks resolved, is one of `folders` or lies under one. */
export function isInsideFolders(p: string, folders: readonly string[]): boolean {
  const target = real(p);
  if (!target) return false;
  return folders.some((f) => {
    const root = real(f);
    if (!root) return false;
    const rel = path.relative(root, target);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

/**
 * The run folder a restored dashboard may show, from the state its page saved. That state lives in the webview
 * and is attacker-influenced (issue 12, finding 7), and the folder becomes a localResourceRoot of the page, so it
 * must be a folder inside the workspace. Undefined otherwise.
 */
export function revivedRunDir(state: unknown, folders: readonly string[]): string | undefined {
  const runDir = typeof state === 'object' && state !== null ? (state as { runDir?: unknown }).runDir : undefined;
  if (typeof runDir !== 'string' || !path.isAbsolute(runDir)) return undefined;
  const resolved = path.resolve(runDir);
  let isDir = false;
  try { isDir = fs.statSync(resolved).isDirectory(); } catch { /* missing */ }
  return isDir && isInsideFolders(resolved, folders) ? resolved : undefined;
}

/**
 * Where the link check of a write starts (runtime/outputFiles.ts) for a place the user picked in a dialog: the
 * innermost workspace folder holding it, so that a link planted in the workspace (a cloned repository's
 * `export` → elsewhere) on the way is refused; outside the workspace, the picked place's own folder.
 */
export function outputRootIn(target: string, folders: readonly string[]): string {
  const abs = path.resolve(target);
  const holding = folders.map((f) => path.resolve(f)).filter((f) => {
    const rel = path.relative(f, abs);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  return holding.sort((a, b) => b.length - a.length)[0] ?? path.dirname(abs);
}
