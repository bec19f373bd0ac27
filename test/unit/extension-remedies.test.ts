// Issue 12, finding 1: a remedy button names which fix; the host decides what is written where. A run folder from a
// cloned repository (run.json naming any configFile, metrics.jsonl with any fixes) must not get a click to write
// outside the workspace's own configs, nor any key or value the schema does not allow.
import { afterEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isWebviewToHost } from '../../src/protocol';
import { checkConfigTarget, checkFixEdits, checkRemedy, SentProblems } from '../../src/extension/remedies';
import type { Fix, Problem } from '../../src/runtime/problem';

const made: string[] = [];
afterEach(() => { for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });
function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-remedy-')));
  made.push(d);
  return d;
}

const smoothing: Fix = { title: 'Smooth labels', edits: [{ path: ['training', 'labelSmoothing'], value: 0.1 }] };

test('a webview cannot send what to write where: applyFix carries only {runId, code, fixIndex}', () => {
  const settings = path.join(os.homedir(), '.config/Code/User/settings.json');
  const hostile = { title: 'x', edits: [{ path: ['editor', 'fontSize'], value: 40 }] };
  assert.equal(isWebviewToHost({ type: 'applyFix', runId: 'r', configFile: settings, code: 'health/mode-collapse', fix: hostile }), false);
  assert.ok(isWebviewToHost({ type: 'applyFix', runId: 'r', code: 'health/mode-collapse', fixIndex: 0 }));
  assert.equal(isWebviewToHost({ type: 'applyFix', runId: 'r', code: 'health/mode-collapse', fixIndex: -1 }), false);
  assert.equal(isWebviewToHost({ type: 'applyFix', runId: 'r', code: 'health/mode-collapse', fixIndex: 0.5 }), false);
  assert.equal(isWebviewToHost({ type: 'applyFix', code: 'health/mode-collapse', fixIndex: 0 }), false, 'the run must be named');
});

test('the target must be a dcgan.json or *.dcgan.json inside a workspace folder, symlinks resolved', () => {
  const ws = tmp();
  const elsewhere = tmp();
  const config = path.join(ws, 'dcgan.json');
  fs.writeFileSync(config, '{}');
  fs.writeFileSync(path.join(ws, 'exp.dcgan.json'), '{}');
  const settings = path.join(elsewhere, 'settings.json');
  fs.writeFileSync(settings, '{}');
  fs.writeFileSync(path.join(elsewhere, 'dcgan.json'), '{}');
  fs.mkdirSync(path.join(ws, 'linked'));
  fs.symlinkSync(settings, path.join(ws, 'linked', 'dcgan.json'));
  fs.symlinkSync(path.join(elsewhere, 'dcgan.json'), path.join(ws, 'out.dcgan.json'));
  fs.mkdirSync(path.join(ws, 'dir.dcgan.json'));

  assert.equal(checkConfigTarget(config, [ws]), undefined);
  assert.equal(checkConfigTarget(path.join(ws, 'exp.dcgan.json'), [ws]), undefined);
  assert.match(checkConfigTarget(settings, [ws])!, /not a dcgan\.json/);
  assert.match(checkConfigTarget(path.join(ws, '.vscode', 'settings.json'), [ws])!, /not a dcgan\.json/);
  assert.match(checkConfigTarget(path.join(elsewhere, 'dcgan.json'), [ws])!, /not inside this workspace/);
  assert.match(checkConfigTarget(path.join(ws, 'linked', 'dcgan.json'), [ws])!, /links to .*settings\.json/);
  assert.match(checkConfigTarget(path.join(ws, 'out.dcgan.json'), [ws])!, /not inside this workspace/);
  assert.match(checkConfigTarget(path.join(ws, 'dir.dcgan.json'), [ws])!, /not a file/);
  assert.match(checkConfigTarget(path.join(ws, 'missing.dcgan.json'), [ws])!, /does not exist/);
  assert.match(checkConfigTarget('dcgan.json', [ws])!, /not a dcgan\.json/, 'a relative path');
  assert.match(checkConfigTarget(config, [])!, /not inside/);
  assert.match(checkConfigTarget(undefined, [ws])!, /names no config/);
});

test('only schema keys, never path keys, and only values the key\'s schema accepts', () => {
  const edits = (path: (string | number)[], value?: unknown): Fix => ({ title: 't', edits: [{ path, value }] });
  assert.equal(checkFixEdits(smoothing), undefined);
  assert.equal(checkFixEdits(edits(['data', 'scale'], 'auto')), undefined);
  assert.equal(checkFixEdits(edits(['data', 'scale'], { from: [0, 255] })), undefined);
  assert.equal(checkFixEdits(edits(['training', 'learningRate'], { generator: 2e-4, discriminator: 5e-5 })), undefined);
  assert.equal(checkFixEdits(edits(['training', 'instanceNoise'], { start: 0.1, decaySteps: 500 })), undefined);
  assert.equal(checkFixEdits(edits(['training', 'labelSmoothing'])), undefined, 'removing a key restores its default');
  assert.match(checkFixEdits(edits(['editor', 'fontSize'], 40))!, /not a key/);
  assert.match(checkFixEdits(edits(['training', 'constructor'], 1))!, /not a key/);
  assert.match(checkFixEdits(edits(['training'], {}))!, /not a key/, 'a whole section');
  assert.match(checkFixEdits(edits(['training', 'learningRate', 'generator'], 1))!, /not a key/);
  assert.match(checkFixEdits(edits(['data', 'path'], '/etc/shadow'))!, /a path/);
  assert.match(checkFixEdits(edits(['output', 'dir'], '/home/user/.ssh'))!, /a path/);
  assert.match(checkFixEdits(edits(['training', 'labelSmoothing'], 'lots'))!, /schema refuses/);
  assert.match(checkFixEdits(edits(['training', 'batchSize'], 1e12))!, /schema refuses/);
  assert.match(checkFixEdits(edits(['model', 'imageSize'], 20000))!, /schema refuses/);
  assert.match(checkFixEdits({ title: 't', edits: [smoothing.edits[0], { path: ['x', 'y'], value: 1 }] })!, /not a key/, 'one bad edit refuses the fix');
  const ws = tmp();
  fs.writeFileSync(path.join(ws, 'dcgan.json'), '{}');
  assert.equal(checkRemedy(path.join(ws, 'dcgan.json'), smoothing, [ws]), undefined);
  assert.ok(checkRemedy(path.join(ws, 'dcgan.json'), edits(['output', 'dir'], '/'), [ws]));
});

test('the host looks up the fix the page showed: latest problem per code, by index', () => {
  const sent = new SentProblems();
  const p = (fixes: Fix[]): Problem => ({ code: 'health/mode-collapse', severity: 'warning', message: 'm', fixes });
  const other: Fix = { title: 'Other', edits: [{ path: ['training', 'beta1'], value: 0.5 }] };
  sent.note(p([other]));
  sent.note(p([smoothing, other]));
  assert.deepEqual(sent.fix('health/mode-collapse', 0), smoothing);
  assert.deepEqual(sent.fix('health/mode-collapse', 1), other);
  assert.equal(sent.fix('health/mode-collapse', 2), undefined);
  assert.equal(sent.fix('health/mode-collapse', -1), undefined);
  assert.equal(sent.fix('health/non-finite', 0), undefined, 'a code the page was never sent');
  sent.clear();
  assert.equal(sent.fix('health/mode-collapse', 0), undefined);
});
