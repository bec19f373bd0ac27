/**
 * Config edits as text edits that keep the user's comments and formatting (jsonc-parser `modify`).
 * No vscode import: the quick fixes, the dashboard's remedy buttons and the unit tests share it.
 */
import * as jsonc from 'jsonc-parser';
import type { ConfigEdit, ConfigPath } from '../runtime/problem';

export interface TextReplacement {
  offset: number;
  length: number;
  content: string;
}

/** Indentation as the file already uses it (first indented line), so an inserted key looks like its neighbours. */
export function detectFormatting(text: string): jsonc.FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m && m[1].startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: m ? m[1].length : 2, eol };
}

/** Applies `edits` in order (each on the text the previous one produced) and returns the new text. */
export function applyConfigEdits(text: string, edits: readonly ConfigEdit[], formatting = detectFormatting(text)): string {
  let current = text;
  for (const edit of edits) {
    const changes = jsonc.modify(current, edit.path as jsonc.JSONPath, edit.value, { formattingOptions: formatting });
    current = jsonc.applyEdits(current, changes);
  }
  return current;
}

/** The smallest single replacement that turns `before` into `after` (common prefix and suffix kept). */
export function diffAsReplacement(before: string, after: string): TextReplacement | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) { endBefore--; endAfter--; }
  return { offset: start, length: endBefore - start, content: after.slice(start, endAfter) };
}

/** The text span a problem at `path` belongs on: the value at the path, or the nearest existing parent key. */
export function spanForPath(text: string, path: ConfigPath): { offset: number; length: number } | undefined {
  const tree = jsonc.parseTree(text);
  if (!tree) return undefined;
  for (let n = path.length; n > 0; n--) {
    const node = jsonc.findNodeAtLocation(tree, path.slice(0, n) as jsonc.JSONPath);
    if (!node) continue;
    if (n === path.length) return { offset: node.offset, length: node.length };
    // The key itself is absent (a default applies): underline the parent's key, not its whole object.
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return key ? { offset: key.offset, length: key.length } : { offset: node.offset, length: 1 };
  }
  return undefined;
}
