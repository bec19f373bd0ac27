// Compare Runs and Export Generator in a real extension host, on two real tiny runs trained here with the CLI
// (dist/cli.js, the wasm backend): the tiny config of the host workspace with training.labelSmoothing 0 and 0.1.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DcganApi } from '../../../src/extension/main';
import type { ExportResult } from '../../../src/runtime/runs';
// The side view's Save as GIF handler, compiled into this test bundle (the page's button only posts saveGif; the
// save dialog cannot be answered from a test, so the file is passed in).
import { saveRunGif } from '../../../src/extension/runCommands';

const EXTENSION_ID = 'dcgan-studio.dcgan-studio';

function trainWithCli(cli: string, config: string, runDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, 'train', config, '--run', runDir], { timeout: 150_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(config)}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Compare Runs and Export Generator', function () {
  let api: DcganApi;
  let runA: string;
  let runB: string;

  before(async function () {
    this.timeout(180_000);
    const ext = vscode.extensions.getExtension<DcganApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    api = await ext.activate();
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const dir = path.join(ws, 'compare');
    fs.mkdirSync(dir, { recursive: true });
    const tiny = fs.readFileSync(path.join(ws, 'tiny.dcgan.json'), 'utf8');
    const withSmoothing = (v: number) => tiny.replace('"seed": 7', `"seed": 7,\n    "labelSmoothing": ${v}`);
    assert.notEqual(withSmoothing(0.1), tiny, 'tiny.dcgan.json has the "seed": 7 line this test edits');
    // Outside the workspace's config globs (no .dcgan.json name), so the other suite still finds one tiny config.
    fs.writeFileSync(path.join(dir, 'smooth-0.json'), withSmoothing(0));
    fs.writeFileSync(path.join(dir, 'smooth-01.json'), withSmoothing(0.1));
    runA = path.join(dir, 'runs', 'smooth-0');
    runB = path.join(dir, 'runs', 'smooth-01');
    const cli = path.join(ext.extensionPath, 'dist', 'cli.js');
    await Promise.all([trainWithCli(cli, path.join(dir, 'smooth-0.json'), runA), trainWithCli(cli, path.join(dir, 'smooth-01.json'), runB)]);
  });

  after(() => {
    api?.views.ComparePanel.current?.dispose();
  });

  it('dcgan.compareRuns opens the Compare panel and the page receives the comparison', async function () {
    this.timeout(60_000);
    const dirs = await vscode.commands.executeCommand<string[]>('dcgan.compareRuns', [vscode.Uri.file(runA), vscode.Uri.file(runB)]);
    assert.deepEqual(dirs, [runA, runB]);
    const tab = await waitFor('a Compare Runs webview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('dcgan.compare')));
    assert.match(tab.label, /smooth-0, smooth-01/);
    const panel = api.views.ComparePanel.current;
    assert.ok(panel, 'ComparePanel.current is set');
    // Sent only after the page said `ready`: it proves the page loaded and asked.
    const view = await waitFor('the comparison to reach the page', () => (panel.lastDelivered ? panel.lastComparison : undefined), 45_000);
    assert.equal(view.runs.length, 2);
    assert.deepEqual(view.configDiff.find((r) => r.key === 'training.labelSmoothing')?.values, ['0', '0.1']);
    for (const run of view.runs) {
      assert.equal(run.status, 'completed');
      assert.equal(run.step, 3);
      assert.deepEqual(run.series.step, [1, 2, 3]);
      assert.ok(run.series.lossD.every((v) => typeof v === 'number' && Number.isFinite(v)));
      assert.ok(run.grids.length >= 1 && run.grids.every((g) => g.uri.length > 0 && !g.uri.startsWith('file:')), 'grids come as webview URIs');
    }
    assert.deepEqual(view.gridSteps, [1, 2, 3]);
    assert.deepEqual(panel.skipped, []);
  });

  it('dcgan.compareRuns refuses a folder that is not a run, naming it', async function () {
    this.timeout(60_000);
    const notARun = path.dirname(runA);
    await vscode.commands.executeCommand('dcgan.compareRuns', [runA, runB, path.join(notARun, 'smooth-0.json')]);
    const panel = api.views.ComparePanel.current!;
    await waitFor('the new comparison', () => (panel.lastDelivered && panel.lastComparison ? true : undefined), 45_000);
    assert.equal(panel.lastComparison!.runs.length, 2);
    assert.equal(panel.skipped.length, 1);
    assert.match(panel.skipped[0].reason, /smooth-0\.json/);
  });

  it('a run still being written keeps updating its curve on the page', async function () {
    this.timeout(60_000);
    // A copy of run A that says it is still training: run.json status "running", no end line yet.
    const live = path.join(path.dirname(runA), 'live');
    fs.cpSync(runA, live, { recursive: true });
    const runJson = JSON.parse(fs.readFileSync(path.join(live, 'run.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(live, 'run.json'), JSON.stringify({ ...runJson, status: 'running' }));
    const metrics = path.join(live, 'metrics.jsonl');
    fs.writeFileSync(metrics, fs.readFileSync(metrics, 'utf8').split('\n').filter((l) => l.trim() && !l.includes('"event":"end"')).join('\n') + '\n');
    await vscode.commands.executeCommand('dcgan.compareRuns', [live, runB]);
    const panel = api.views.ComparePanel.current!;
    const view = await waitFor('the comparison with the live run', () => (panel.lastDelivered ? panel.lastComparison : undefined), 45_000);
    assert.equal(view.runs[0].live, true);
    const before = panel.liveUpdates;
    fs.appendFileSync(metrics, [4, 5].map((step) => JSON.stringify({ event: 'step', step, lossD: 1.3, lossG: 0.7, dReal: 0.5, dFake: 0.5, ms: 10 })).join('\n') + '\n');
    await waitFor('a live update for the appended steps', () => (panel.liveUpdates > before ? true : undefined), 30_000);
  });

  it('dcgan.exportGenerator writes model.json and its weight files from a checkpoint', async function () {
    this.timeout(60_000);
    const checkpoint = path.join(runB, 'checkpoints', 'step-000003');
    assert.ok(fs.existsSync(path.join(checkpoint, 'manifest.json')), 'the tiny run wrote its step-3 checkpoint');
    const outDir = path.join(path.dirname(runB), 'exported');
    const result = await vscode.commands.executeCommand<ExportResult>('dcgan.exportGenerator', vscode.Uri.file(checkpoint), { outDir, notify: false });
    assert.ok(result, 'the command returned no result (it failed: see the log)');
    const model = JSON.parse(fs.readFileSync(path.join(outDir, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[]; weights: { shape: number[] }[] }[]; userDefinedMetadata: { dcganStudio: { latentDim: number; imageShape: number[]; generator: string } } };
    assert.equal(model.format, 'graph-model');
    const meta = model.userDefinedMetadata.dcganStudio;
    assert.equal(meta.latentDim, 16);
    assert.deepEqual(meta.imageShape, [28, 28, 1]);
    assert.equal(meta.generator, 'average');
    const paths = model.weightsManifest.flatMap((g) => g.paths);
    assert.ok(paths.length >= 1);
    const floats = model.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    const bytes = paths.reduce((n, p) => n + fs.statSync(path.join(outDir, p)).size, 0);
    assert.equal(bytes, floats * 4, 'the weight files hold every tensor of the manifest, 4 bytes each');
    assert.deepEqual(result.weightFiles.map((f) => path.basename(f)).sort(), [...paths].sort());
  });

  it('Save as GIF writes one frame per sample grid of the run', async function () {
    this.timeout(60_000);
    const file = path.join(path.dirname(runA), 'smooth-0-timeline.gif');
    const saved = await saveRunGif(runA, 'smooth-0', file);
    assert.ok(saved);
    const grids = fs.readdirSync(path.join(runA, 'samples')).filter((f) => /^step-\d+\.png$/.test(f));
    assert.equal(saved.frames, grids.length);
    assert.equal(fs.readFileSync(file).subarray(0, 6).toString('latin1'), 'GIF89a');
  });
});
