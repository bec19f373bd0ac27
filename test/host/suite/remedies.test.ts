// Issue 12, finding 1, in a real extension host (trusted workspace): a run folder shipped in a cloned repository
// names a config file and carries problem events with fixes. Its dashboard's remedy buttons may write only the
// workspace's own config, only schema keys with valid values; the user's settings.json stays as it was.
// The page's clicks are delivered through DashboardPanel.receive, the same guard and handler the webview's
// messages go through.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DcganApi } from '../../../src/extension/main';
import type { HostToWebview } from '../../../src/protocol';

const EXTENSION_ID = 'dcgan-studio.dcgan-studio';
const CODE = 'health/mode-collapse';

function writeRun(runDir: string, configFile: string): void {
  fs.mkdirSync(runDir, { recursive: true });
  const runId = path.basename(runDir);
  fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify({ runId, configFile, status: 'completed', startedAt: '2026-01-01T00:00:00.000Z' }));
  const problem = {
    event: 'problem', code: CODE, severity: 'warning', step: 10, message: 'Samples look alike.',
    fixes: [
      { title: 'Bigger font', edits: [{ path: ['editor', 'fontSize'], value: 40 }] },
      { title: 'Label noise', edits: [{ path: ['training', 'labelNoise'], value: 0.05 }] },
      { title: 'Write elsewhere', edits: [{ path: ['output', 'dir'], value: '/tmp/dcgan-elsewhere' }] },
    ],
  };
  fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), `${JSON.stringify(problem)}\n${JSON.stringify({ event: 'end', reason: 'completed', step: 10 })}\n`);
}

type FixApplied = Extract<HostToWebview, { type: 'fixApplied' }>;

describe('remedy buttons of a run read from disk (issue 12, finding 1)', () => {
  let api: DcganApi;
  let ws: string;
  let settings: string;
  let settingsBefore: string;

  before(async () => {
    api = (await vscode.extensions.getExtension<DcganApi>(EXTENSION_ID)!.activate())!;
    ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // The runner's user-data-dir sits next to the workspace copy: the user's real settings.json of this VS Code.
    settings = path.join(ws, '..', 'user-data', 'User', 'settings.json');
    assert.ok(fs.existsSync(settings), `expected the user settings at ${settings}`);
    settingsBefore = fs.readFileSync(settings, 'utf8');
  });

  async function openRun(runDir: string) {
    assert.equal(await vscode.commands.executeCommand('dcgan.openDashboard', runDir), true, `the dashboard of ${runDir} opened`);
    const panel = api.views.DashboardPanel.forRun(runDir);
    assert.ok(panel, 'the panel is bound to the run folder');
    await panel.receive({ type: 'ready' });
    return panel;
  }

  const click = async (panel: { receive(m: unknown): Promise<HostToWebview | undefined> }, runId: string, fixIndex: number) =>
    (await panel.receive({ type: 'applyFix', runId, code: CODE, fixIndex })) as FixApplied | undefined;

  it('a run naming the user\'s settings.json as its config cannot write it', async () => {
    const runDir = path.join(ws, 'cloned', 'run-settings');
    writeRun(runDir, settings);
    const panel = await openRun(runDir);
    const answer = await click(panel, 'run-settings', 1);
    assert.equal(answer?.ok, false);
    assert.match(answer?.message ?? '', /not a dcgan\.json/);
    assert.match(answer?.message ?? '', /training\.labelNoise = 0\.05/, 'it says how to apply it by hand');
    // The message shape that carried the file and the fix is refused by the guard.
    assert.equal(await panel.receive({ type: 'applyFix', runId: 'run-settings', configFile: settings, code: CODE, fix: { title: 'x', edits: [{ path: ['editor', 'fontSize'], value: 40 }] } }), undefined);
    // So is another page's message: the dashboard has no "apply the winner" (Compare's), whatever it names.
    assert.equal(await panel.receive({ type: 'applyWinner', sweepId: 'x' }), undefined);
    assert.equal(fs.readFileSync(settings, 'utf8'), settingsBefore, 'settings.json is unchanged');
    panel.dispose();
  });

  it('a run naming the workspace\'s own config gets only schema keys, never paths; the rest is applied', async () => {
    const config = path.join(ws, 'dcgan.json');
    const runDir = path.join(ws, 'cloned', 'run-own');
    writeRun(runDir, config);
    const panel = await openRun(runDir);
    const before = fs.readFileSync(config, 'utf8');
    const font = await click(panel, 'run-own', 0);
    assert.equal(font?.ok, false);
    assert.match(font?.message ?? '', /editor\.fontSize.*not a key/);
    const dir = await click(panel, 'run-own', 2);
    assert.equal(dir?.ok, false);
    assert.match(dir?.message ?? '', /output\.dir, a path/);
    assert.equal((await click(panel, 'run-own', 7))?.ok, false, 'an index the page was not sent');
    assert.equal((await click(panel, 'another-run', 1))?.ok, false, 'another run\'s id');
    assert.equal(fs.readFileSync(config, 'utf8'), before, 'nothing written by the refused remedies');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === config);
    const dirtyBefore = doc?.isDirty;
    const noise = await click(panel, 'run-own', 1);
    assert.equal(noise?.ok, true, noise?.message);
    assert.equal(dirtyBefore ?? false, false, 'dcgan.json had no unsaved changes, so the remedy is saved to disk');
    assert.match(fs.readFileSync(config, 'utf8'), /"labelNoise":\s*0\.05/);
    assert.equal(fs.readFileSync(settings, 'utf8'), settingsBefore);
    panel.dispose();
  });
});
