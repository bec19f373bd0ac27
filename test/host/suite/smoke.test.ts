// Proves the harness itself: the suite runs inside a real VS Code extension host, and this repository is loaded
// as the extension under development. The extension engineer's suite files sit beside this one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'dcgan-studio.dcgan-studio';

describe('extension host smoke', () => {
  it('runs inside VS Code', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
  });

  it('has the extension under development loaded', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among the host's extensions: is extensionDevelopmentPath the repo root?`);
    assert.equal(ext.packageJSON.name, 'dcgan-studio');
  });

  it('opened the throwaway workspace folder', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, 'expected exactly one workspace folder (the copy of test/fixtures/host-workspace)');
  });
});
