// Dawn's native addon in the training worker thread, inside a real extension host: one training step of a tiny
// model with runtime.backend "webgpu". The runner (run-code-server.mjs) points the Vulkan loader at a software
// driver (scripts/software-icd.mjs: lavapipe, else chromium's SwiftShader); without an adapter this fails (CI
// installs libvulkan1 and lavapipe), it does not skip.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DcganApi } from '../../../src/extension/main';
import type { TrainingSession } from '../../../src/extension/session';
import type { EndEvent, StartEvent } from '../../../src/runtime/events';

describe('webgpu in the training worker', function () {
  it('trains one step on webgpu and names the adapter', async function () {
    this.timeout(300_000);
    const ext = vscode.extensions.getExtension<DcganApi>('dcgan-studio.dcgan-studio');
    assert.ok(ext);
    await ext.activate();
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws);
    const file = path.join(ws, 'webgpu.dcgan.json');
    fs.writeFileSync(file, JSON.stringify({
      data: { path: 'builtin:mnist', limit: 16 },
      model: { latentDim: 16, generatorFilters: 2, discriminatorFilters: 2 },
      training: { batchSize: 8, steps: 1 },
      output: { dir: 'runs-webgpu', sampleEvery: 1, checkpointEvery: 1, sampleCount: 4 },
      runtime: { backend: 'webgpu' },
    }));
    const session = await vscode.commands.executeCommand<TrainingSession>('dcgan.train', vscode.Uri.file(file));
    assert.ok(session, 'dcgan.train returned no session');
    const end: EndEvent = await session.done;
    const start = session.history.events().find((e): e is StartEvent => e.event === 'start');
    assert.ok(start, `no start event; ended: ${end.reason} ${end.message ?? ''}`);
    assert.equal(start.backend.name, 'webgpu', start.backend.reason);
    assert.match(start.backend.adapter?.description ?? '', /\S/, 'the adapter is named');
    assert.equal(end.reason, 'completed', end.message);
    assert.equal(end.step, 1);
  });
});
