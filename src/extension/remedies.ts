/**
 * Which remedy a dashboard may apply, and to which file (issue 12, finding 1).
 *
 * A remedy button used to send the fix itself and the file to write; both came from the run, and a run folder may
 * come from a cloned repository (run.json names `configFile`, metrics.jsonl carries problem events with fixes).
 * Now:
 *   - the host keeps the problems it sent to a dashboard (SentProblems), and the page names only
 *     {runId, code, fixIndex};
 *   - the file written is the run's config as the host knows it: the training session's own config file, or, for a
 *     run read from disk in a trusted workspace, the config its run.json names, accepted only when it is one of the
 *     workspace's own configs (checkConfigTarget);
 *   - only schema keys are edited, never the two that name paths (data.path reads, output.dir writes), and every
 *     value must validate against the key's schema (checkFixEdits).
 * No vscode import: the unit tests run the same code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import schema from '../runtime/config/schema.json';
import { PATH_KEYS } from '../runtime/config/keys';
import { isConfigFileName, parseConfig } from '../runtime/config/load';
import type { Fix, Problem } from '../runtime/problem';
import { isInsideFolders } from './workspacePaths';

type SchemaNode = { properties?: Record<string, SchemaNode> } & Record<string, unknown>;

/** A key of `node.properties`, own keys only ("constructor" is not a config key). */
function ownChild(node: SchemaNode | undefined, key: unknown): SchemaNode | undefined {
  const props = node?.properties;
  return props && typeof key === 'string' && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
}

/** Undefined when every edit of `fix` sets (or removes) a non-path schema key to a value its schema accepts. */
export function checkFixEdits(fix: Fix): string | undefined {
  if (fix.edits.length === 0) return `"${fix.title}" has no edits.`;
  for (const edit of fix.edits) {
    const key = edit.path.join('.');
    const [section, name, ...rest] = edit.path;
    const node = rest.length === 0 ? ownChild(ownChild(schema as SchemaNode, section), name) : undefined;
    if (!node) {
      return `"${fix.title}" edits ${JSON.stringify(key)}, which is not a key of the dcgan.json schema, so it is not applied.`;
    }
    if (PATH_KEYS.has(key)) return `"${fix.title}" edits ${key}, a path; remedies never change paths, so it is not applied.`;
    if (edit.value === undefined) continue;
    // The config loader's own validator (compiled once, shared with the diagnostics), on a config holding only this key.
    const alone = JSON.stringify({ [section as string]: { [name as string]: edit.value } });
    const refused = parseConfig(alone).problems.find((p) => p.code === 'config/schema' || p.code === 'config/parse');
    if (refused) {
      return `"${fix.title}" sets ${key} to ${JSON.stringify(edit.value)?.slice(0, 100)}, which the schema refuses (${refused.message.replace(/^config:\d+: /, '')}), so it is not applied.`;
    }
  }
  return undefined;
}

/**
 * Undefined when `file` may receive a remedy: a dcgan.json or *.dcgan.json that, with symlinks resolved, is a
 * regular file inside one of the workspace `folders` (and still has a config's name once resolved).
 */
export function checkConfigTarget(file: string | undefined, folders: readonly string[]): string | undefined {
  if (!file) return 'This run names no config file, so there is nothing to apply the remedy to.';
  if (!path.isAbsolute(file) || !isConfigFileName(file)) return `${file} is not a dcgan.json or *.dcgan.json, so the remedy is not applied to it.`;
  let real: string;
  try {
    real = fs.realpathSync(file);
    if (!fs.statSync(real).isFile()) return `${file} is not a file, so the remedy is not applied to it.`;
  } catch {
    return `${file} does not exist, so the remedy cannot be applied.`;
  }
  if (!isConfigFileName(real)) return `${file} links to ${real}, which is not a dcgan.json or *.dcgan.json, so the remedy is not applied.`;
  if (!isInsideFolders(real, folders)) return `${file} is not inside this workspace's folders, so the remedy is not applied to it.`;
  return undefined;
}

/** Both checks at once, as applyFixToConfig runs them before every write. */
export function checkRemedy(file: string, fix: Fix, folders: readonly string[]): string | undefined {
  return checkConfigTarget(file, folders) ?? checkFixEdits(fix);
}

/** "training.labelSmoothing = 0.1; model.discriminatorDropout = 0.3", for a user who applies it by hand. */
export function describeEdits(fix: Fix): string {
  return fix.edits.map((e) => `${e.path.join('.')} = ${e.value === undefined ? '(removed)' : JSON.stringify(e.value)}`).join('; ');
}

/**
 * The problems a dashboard was sent, one per code, the latest winning (as the page keeps its alerts), so that a
 * remedy button's {code, fixIndex} means exactly the fix the page showed.
 */
export class SentProblems {
  private readonly byCode = new Map<string, Problem>();

  clear(): void {
    this.byCode.clear();
  }

  note(p: Problem): void {
    this.byCode.set(p.code, p);
  }

  /** The problem the page was sent for `code` (its fixes as shown), for "Try these remedies". */
  problem(code: string): Problem | undefined {
    return this.byCode.get(code);
  }

  fix(code: string, fixIndex: number): Fix | undefined {
    const fixes = this.byCode.get(code)?.fixes;
    return Number.isInteger(fixIndex) && fixIndex >= 0 ? fixes?.[fixIndex] : undefined;
  }
}
