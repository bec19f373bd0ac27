/**
 * Quick fixes for config diagnostics, keyed on the problem's stable code: each Fix the problem carries becomes
 * a QuickFix whose WorkspaceEdit is computed with jsonc-parser, so that comments and formatting survive.
 * applyFixToConfig is the same edit for the dashboard's remedy buttons (health alerts carry the same Fix shape).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfigText } from '../runtime/config/load';
import { writeFileAtomic } from '../runtime/outputFiles';
import type { Fix } from '../runtime/problem';
import { applyConfigEdits, diffAsReplacement } from './configEdits';
import { DIAGNOSTIC_SOURCE, type ConfigDiagnostics } from './diagnostics';
import { checkRemedy } from './remedies';

export class ConfigQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: ConfigDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const placed = this.diagnostics.problemsFor(doc.uri);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      // The diagnostics in the context are copies: match ours by code and range.
      const match = placed.find((p) => p.problem.code === codeOf(diagnostic) && p.diagnostic.range.isEqual(diagnostic.range));
      for (const fix of match?.problem.fixes ?? []) {
        const edit = fixAsWorkspaceEdit(doc, fix);
        if (!edit) continue;
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.isPreferred;
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

/** The fix as one text replacement on the document; undefined when it changes nothing. */
export function fixAsWorkspaceEdit(doc: vscode.TextDocument, fix: Fix): vscode.WorkspaceEdit | undefined {
  const before = doc.getText();
  const change = diffAsReplacement(before, applyConfigEdits(before, fix.edits));
  if (!change) return undefined;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(change.offset), doc.positionAt(change.offset + change.length)), change.content);
  return edit;
}

/**
 * Applies a remedy to a config file, keeping its comments. A config with unsaved changes in an editor gets the edit
 * there, left unsaved for the user; otherwise the file itself is rewritten (an open editor reloads it), so that the
 * next run and the CLI see the fix. Writing the file rather than saving the editor: the editor's save returned
 * false now and then in code-server (3 of 8 host-suite runs), leaving the remedy unsaved.
 * Returns false when the fix changed nothing or VS Code refused the edit; throws when the file is not a config of
 * this workspace or the fix edits anything but schema keys.
 */
export async function applyFixToConfig(configUri: vscode.Uri, fix: Fix): Promise<boolean> {
  // Every remedy write passes the same checks as the dashboard's (issue 12, finding 1): a workspace config, schema keys.
  const refused = checkRemedy(configUri.fsPath, fix, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
  if (refused) throw new Error(refused);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === configUri.toString());
  if (open?.isDirty) {
    const edit = fixAsWorkspaceEdit(open, fix);
    return edit ? vscode.workspace.applyEdit(edit) : false;
  }
  // The checked file itself (checkRemedy resolved its links), not whatever a link might point to by now.
  const file = fs.realpathSync(configUri.fsPath);
  const before = readConfigText(file);
  const after = applyConfigEdits(before, fix.edits);
  if (after === before) return false;
  // Into the config's own (real) folder, by the atomic writer: the file is replaced, never written through a link.
  writeFileAtomic(path.dirname(file), file, after, { mode: fs.statSync(file).mode & 0o777 });
  return true;
}
