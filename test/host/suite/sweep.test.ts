// Sweeps in a real extension host: "Try these remedies" runs an alert's fixes and the baseline as a sweep (the CLI,
// started by the extension, trains real tiny runs), the Compare panel opens on the sweep with the ranking, and
// "Apply the winner" writes it through the remedy path. The dashboard's tryRemedies message is checked like applyFix:
// only an alert the page was sent, only the workspace's own config.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DcganApi } from '../../../src/extension/main';
import type { HostToWebview } from '../../../src/protocol';
import type { Problem } from '../../../src/runtime/problem';

const EXTENSION_ID = 'dcgan-studio.dcgan-studio';
const CODE = 'health/discriminator-overpowering';

async function waitFor(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const ALERT: Problem = {
  code: CODE, severity: 'warning', step: 30, message: 'The discriminator is overpowering the generator.',
  fixes: [
    { title: 'Scale the data to the generator\'s range (data.scale "auto")', edits: [{ path: ['data', 'scale'], value: 'auto' }], isPreferred: true },
    { title: 'One-sided label smoothing (training.labelSmoothing 0.1)', edits: [{ path: ['training', 'labelSmoothing'], value: 0.1 }] },
    { title: 'Write elsewhere', edits: [{ path: ['output', 'dir'], value: '/tmp/dcgan-elsewhere' }] },
  ],
};

describe('sweeps: Try these remedies, the ranking in Compare, Apply the winner', function () {
  let api: DcganApi;
  let ws: string;
  let config: string;

  before(async () => {
    api = (await vscode.extensions.getExtension<DcganApi>(EXTENSION_ID)!.activate())!;
    ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // The seed's failure, tiny: the built-in digits (uint8) fed as stored, [0, 255], to a tanh generator.
    fs.mkdirSync(path.join(ws, 'trial'), { recursive: true });
    config = path.join(ws, 'trial', 'failing.dcgan.json');
    fs.writeFileSync(config, fs.readFileSync(path.join(ws, 'tiny.dcgan.json'), 'utf8').replace('"scale": "auto"', '"scale": "none"').replace('"limit": 64', '"limit": 256'));
    assert.match(fs.readFileSync(config, 'utf8'), /"scale": "none"/);
  });

  after(() => {
    // Other suites resolve "the" config of the workspace.
    fs.rmSync(path.join(ws, 'trial'), { recursive: true, force: true });
  });

  it('the dashboard\'s "Try these remedies" runs only an alert it was sent, on the workspace\'s own config', async () => {
    const runDir = path.join(ws, 'trial', 'runs', 'alerted');
    fs.mkdirSync(runDir, { recursive: true });
    const settings = path.join(ws, '..', 'user-data', 'User', 'settings.json');
    fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify({ runId: 'alerted', configFile: settings, status: 'completed' }));
    fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), `${JSON.stringify({ event: 'problem', ...ALERT })}\n${JSON.stringify({ event: 'end', reason: 'completed', step: 30 })}\n`);
    assert.equal(await vscode.commands.executeCommand('dcgan.openDashboard', runDir), true);
    const panel = api.views.DashboardPanel.forRun(runDir)!;
    await panel.receive({ type: 'ready' });
    const refused = (await panel.receive({ type: 'tryRemedies', runId: 'alerted', code: CODE })) as Extract<HostToWebview, { type: 'remediesStarted' }>;
    assert.equal(refused.ok, false);
    assert.match(refused.message, /not a dcgan\.json/);
    const notSent = (await panel.receive({ type: 'tryRemedies', runId: 'alerted', code: 'health/mode-collapse' })) as Extract<HostToWebview, { type: 'remediesStarted' }>;
    assert.equal(notSent.ok, false);
    assert.match(notSent.message, /was not sent health\/mode-collapse/);
    assert.equal(await panel.receive({ type: 'tryRemedies', runId: 'alerted', code: CODE, fixes: ALERT.fixes }), undefined, 'a message carrying fixes is refused by the guard');
    assert.equal(api.ctx.sweeps.live().length, 0, 'no sweep was started');
    panel.dispose();
  });

  it('dcgan.runSweep plans the grid with the loader\'s validation and runs it with the CLI; Compare opens on it; a bad value starts nothing', async function () {
    this.timeout(240_000);
    const tiny = path.join(ws, 'tiny.dcgan.json');
    assert.equal(await vscode.commands.executeCommand('dcgan.runSweep', vscode.Uri.file(tiny), { vary: ['training.labelSmoothing=0,0.9'], seeds: 1, steps: 3, runner: 'local' }), undefined, 'labelSmoothing 0.9 is refused');
    assert.equal(api.ctx.sweeps.live().length, 0);
    const dir = await vscode.commands.executeCommand<string>('dcgan.runSweep', vscode.Uri.file(tiny), { vary: ['training.labelSmoothing=0,0.1'], seeds: 1, steps: 3, runner: 'local' });
    assert.ok(dir && fs.existsSync(path.join(dir, 'sweep.json')), `a sweep folder: ${dir}`);
    await waitFor('the sweep to end', () => !api.ctx.sweeps.isLive(dir), 220_000);
    await waitFor('the Compare panel on the sweep', () => api.views.ComparePanel.current?.sweep === fs.realpathSync(dir) && api.views.ComparePanel.current?.lastComparison?.sweep !== undefined, 60_000);
    const view = api.views.ComparePanel.current!.lastComparison!;
    assert.deepEqual(view.sweep!.rows.map((r) => r.scored).sort(), [1, 1], 'both cells scored');
    assert.equal(view.sweep!.verdict, 'single-seed');
    assert.equal(view.sweep!.apply.enabled, false, 'one seed: no winner is applied');
    assert.deepEqual(view.configDiff.map((d) => d.key), ['training.labelSmoothing']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dcgan.tryRemedies trains the fixes and the baseline; Compare opens ranked; "Apply the winner" writes data.scale "auto"', async function () {
    this.timeout(400_000);
    const dir = await vscode.commands.executeCommand<string>('dcgan.tryRemedies', config, ALERT, { steps: 30, seeds: 2 });
    assert.ok(dir && fs.existsSync(path.join(dir, 'sweep.json')), `a sweep folder: ${dir}`);
    const sweep = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    assert.deepEqual(sweep.cells.map((c: { label: string }) => c.label), ['baseline (the config as it is)', ALERT.fixes![0].title, ALERT.fixes![1].title], 'the path-editing fix is not tried');
    assert.deepEqual(sweep.origin, { kind: 'remedies', code: CODE, configFile: config });
    assert.equal(api.ctx.sweeps.isLive(dir), true);
    await waitFor('the sweep to end', () => !api.ctx.sweeps.isLive(dir), 380_000);
    const panel = api.views.ComparePanel.current;
    await waitFor('the Compare panel on the sweep, with its ranking', () => api.views.ComparePanel.current?.sweep === fs.realpathSync(dir) && api.views.ComparePanel.current?.lastComparison?.sweep !== undefined, 60_000);
    const ranking = api.views.ComparePanel.current!.lastComparison!.sweep!;
    assert.ok(panel === undefined || panel === api.views.ComparePanel.current);
    assert.equal(ranking.rows.length, 3);
    assert.equal(ranking.rows[0].label, ALERT.fixes![0].title, JSON.stringify(ranking.rows));
    assert.equal(ranking.verdict, 'clear', ranking.summary);
    assert.equal(ranking.apply.enabled, true);
    assert.equal(api.views.ComparePanel.current!.lastComparison!.runs.length, 3, 'one run per cell');
    const before = fs.readFileSync(config, 'utf8');
    assert.equal((await api.views.ComparePanel.current!.applyWinner('another-sweep')).ok, false, 'only the sweep the page shows');
    const applied = await api.views.ComparePanel.current!.applyWinner(ranking.sweepId);
    assert.equal(applied.ok, true, applied.message);
    const after = fs.readFileSync(config, 'utf8');
    assert.match(after, /"scale": "auto"/);
    assert.equal(after.replace('"scale": "auto"', '"scale": "none"'), before, 'only data.scale changed; the comment and layout stay');
  });
});
