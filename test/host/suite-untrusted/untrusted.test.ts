// The extension in a workspace VS Code does not trust (issue 12): run by test/host/run-code-server.mjs --untrusted,
// which starts code-server with workspace trust on and opens a copy of test/fixtures/untrusted-workspace/ without
// trusting it. Lint still shows its diagnostics; Train, Generate Samples and a remedy button do nothing but explain;
// and no file in the workspace is written, created or removed (its tree is snapshotted before and after).
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DcganApi } from '../../../src/extension/main';
import type { HostToWebview } from '../../../src/protocol';

const EXTENSION_ID = 'dcgan-studio.dcgan-studio';

/** A C-order uint8 .npy file (format 1.0), as the trusted suite writes it. */
function writeNpyUint8(file: string, shape: number[], data: Uint8Array): void {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data)]));
}

/** Every file and folder under `dir` with its size and content hash. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs);
    out[rel] = st.isFile() ? `${st.size} ${crypto.createHash('sha1').update(fs.readFileSync(abs)).digest('hex')}` : st.isDirectory() ? 'dir' : 'other';
  }
  return out;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('DCGAN Studio in an untrusted workspace', function () {
  let api: DcganApi;
  let ws: string;
  let before_: Record<string, string>;
  const runDir = () => path.join(ws, 'cloned', 'run-1');

  before(async function () {
    this.timeout(60_000);
    ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // The files a cloned repository would hold: 8-bit data, and a run whose problem offers a remedy for dcgan.json.
    writeNpyUint8(path.join(ws, 'data', 'bright.npy'), [64, 16, 16], new Uint8Array(64 * 16 * 16).map((_, i) => (i * 37) % 256));
    fs.writeFileSync(path.join(runDir(), 'run.json'), JSON.stringify({ runId: 'run-1', configFile: path.join(ws, 'dcgan.json'), status: 'completed' }));
    const problem = { event: 'problem', code: 'health/mode-collapse', severity: 'warning', step: 1, message: 'Samples look alike.', fixes: [{ title: 'Label noise', edits: [{ path: ['training', 'labelNoise'], value: 0.05 }] }] };
    fs.writeFileSync(path.join(runDir(), 'metrics.jsonl'), `${JSON.stringify(problem)}\n${JSON.stringify({ event: 'end', reason: 'completed', step: 1 })}\n`);
    before_ = snapshot(ws);
    api = (await vscode.extensions.getExtension<DcganApi>(EXTENSION_ID)!.activate())!;
    assert.ok(api, 'the extension activates in an untrusted workspace');
  });

  it('runs untrusted: workspace trust is on and this folder is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('lint diagnostics appear on dcgan.json', async function () {
    this.timeout(60_000);
    const configUri = vscode.Uri.file(path.join(ws, 'dcgan.json'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(configUri));
    const diag = await waitFor('a data/out-of-range diagnostic', () => vscode.languages.getDiagnostics(configUri).find((d) => d.code === 'data/out-of-range'));
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
  });

  it('Train does nothing and says why', async () => {
    const session = await vscode.commands.executeCommand('dcgan.train', vscode.Uri.file(path.join(ws, 'dcgan.json')));
    assert.equal(session, undefined);
    assert.equal(api.ctx.sessions.all().length, 0, 'no training session started');
  });

  it('Generate Samples does nothing and says why (no backend is loaded)', async () => {
    const uri = await vscode.commands.executeCommand('dcgan.generateSamples', vscode.Uri.file(path.join(runDir(), 'checkpoints', 'step-000001')), { count: 4 });
    assert.equal(uri, undefined);
  });

  it('a remedy button does nothing and says why', async function () {
    this.timeout(30_000);
    assert.equal(await vscode.commands.executeCommand('dcgan.openDashboard', runDir()), true, 'past runs are shown untrusted');
    const panel = api.views.DashboardPanel.forRun(runDir());
    assert.ok(panel);
    await panel.receive({ type: 'ready' });
    const answer = (await panel.receive({ type: 'applyFix', runId: 'run-1', code: 'health/mode-collapse', fixIndex: 0 })) as Extract<HostToWebview, { type: 'fixApplied' }> | undefined;
    assert.equal(answer?.ok, false);
    assert.match(answer?.message ?? '', /untrusted workspace/);
    panel.dispose();
  });

  it('Run Sweep and "Try these remedies" do nothing and say why (a sweep trains, like Train)', async () => {
    const config = path.join(ws, 'dcgan.json');
    assert.equal(await vscode.commands.executeCommand('dcgan.runSweep', vscode.Uri.file(config), { vary: ['training.labelSmoothing=0,0.1'], seeds: 1, steps: 1, runner: 'local' }), undefined);
    assert.equal(await vscode.commands.executeCommand('dcgan.tryRemedies', config, { code: 'health/mode-collapse', severity: 'warning', message: 'x', fixes: [{ title: 'Label noise', edits: [{ path: ['training', 'labelNoise'], value: 0.05 }] }] }, { steps: 1, seeds: 1 }), undefined);
    assert.equal(await vscode.commands.executeCommand('dcgan.openDashboard', runDir()), true);
    const panel = api.views.DashboardPanel.forRun(runDir())!;
    await panel.receive({ type: 'ready' });
    const answer = (await panel.receive({ type: 'tryRemedies', runId: 'run-1', code: 'health/mode-collapse' })) as Extract<HostToWebview, { type: 'remediesStarted' }> | undefined;
    assert.equal(answer?.ok, false);
    assert.match(answer?.message ?? '', /not trusted/);
    assert.equal(api.ctx.sweeps.live().length, 0, 'no sweep started');
    panel.dispose();
  });

  it('no file in the workspace was written, created or removed', async () => {
    // Give a stray write (a worker, a save) a moment to land before comparing.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(snapshot(ws), before_);
  });
});
