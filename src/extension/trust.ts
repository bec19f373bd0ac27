/**
 * Workspace trust, in one place (issue 12). A workspace that is not trusted may be a cloned repository: DCGAN
 * Studio lints its configs and shows its runs there, but does nothing that loads a backend (training, sampling
 * from a checkpoint), writes files, or applies a remedy. Each refusal explains itself and offers the way out,
 * without waiting for the user's answer: a command that is refused returns at once.
 */
import * as vscode from 'vscode';

/** True when the workspace is trusted; otherwise says why `action` is refused and returns false. */
export function requireTrust(action: string, log?: Pick<vscode.LogOutputChannel, 'info'>, why?: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const message = untrustedMessage(action, why);
  log?.info(message);
  void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

/** `why` says what the refused action would do with the workspace's files; by default, run code on them or write them. */
export function untrustedMessage(action: string, why = "it would run code on this workspace's files or write to them."): string {
  return `DCGAN Studio does not ${action} in an untrusted workspace: ${why} Trust the workspace to ${action}; lint and the dashboards work without it.`;
}
