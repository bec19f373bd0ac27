// A training worker that crashes mid-run, in a real extension host (issue 12): the extension stays up, the session
// and the dashboard's run show "error" with the reason, and the last checkpoint is kept. The crash is real: the
// worker throws outside the trainer after step 2 (DCGAN_TEST_WORKER_CRASH, read by src/worker/workerMain.ts; the
// worker copies the host's environment when it starts, so it is set only around the start).
// The out-of-memory variant runs in test/unit/extension-worker-crash.test.ts, where the worker's heap can be capped.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DcganApi } from '../../../src/extension/main';
import type { TrainingSession } from '../../../src/extension/session';

const EXTENSION_ID = 'dcgan-studio.dcgan-studio';

describe('a training worker that crashes (issue 12)', () => {
  it('ends the run as an error with the reason, keeps the checkpoint, and the extension keeps working', async function () {
    this.timeout(150_000);
    const api = (await vscode.extensions.getExtension<DcganApi>(EXTENSION_ID)!.activate())!;
    const tiny = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'tiny.dcgan.json'));
    process.env.DCGAN_TEST_WORKER_CRASH = 'throw@2';
    let session: TrainingSession | undefined;
    try {
      session = await vscode.commands.executeCommand<TrainingSession>('dcgan.train', tiny, {
        overrides: { 'training.steps': 12, 'output.checkpointEvery': 2, 'output.sampleEvery': 100 }, notify: false, openDashboard: true,
      });
    } finally {
      delete process.env.DCGAN_TEST_WORKER_CRASH;
    }
    assert.ok(session, 'dcgan.train returned no session');
    const end = await Promise.race([session.done, new Promise<never>((_, reject) => setTimeout(() => {
      const events = session!.history.events().map((e) => `${e.event}${'step' in e ? ` ${e.step}` : ''}`);
      reject(new Error(`the run did not end within 120 s; its events: ${events.slice(-12).join(', ')}`));
      void session!.stop();
    }, 120_000))]);
    assert.equal(end.reason, 'error', JSON.stringify(end));
    assert.match(end.message ?? '', /The training worker crashed: .*crashed on purpose at step 3/);
    assert.equal(session.status, 'error');
    assert.equal(session.summary().status, 'error', 'the dashboard and the side view get the crashed status');
    assert.ok(end.checkpoint && fs.existsSync(path.join(end.checkpoint, 'manifest.json')), 'the last checkpoint is kept');
    assert.match(end.message ?? '', /step 2, is kept/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(session.runDir, 'run.json'), 'utf8')).status, 'error');
    assert.ok(api.views.DashboardPanel.forRun(session.runDir), 'the run\'s dashboard is open');
    assert.equal(api.ctx.sessions.live().length, 0);
    // The extension host is still serving: another command runs, and the crashed run's dashboard still opens.
    assert.equal(await vscode.commands.executeCommand<boolean>('dcgan.openDashboard', session.runId), true);
    const again = await vscode.commands.executeCommand<TrainingSession>('dcgan.train', tiny, { overrides: { 'training.steps': 1 }, notify: false, openDashboard: false });
    assert.ok(again && again !== session, 'a new run of the same config can start');
    assert.equal((await again.done).reason, 'completed');
  });
});
