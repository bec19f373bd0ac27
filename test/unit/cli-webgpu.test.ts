// `dcgan-studio train --backend webgpu|auto` as a user runs it (dist/cli.js in a child process), on chromium's
// SwiftShader adapter where it is installed (the other webgpu tests prefer lavapipe, so both software adapters
// are covered), else the one webgpu-helpers.ts finds: webgpu trains and names the adapter; auto picks wasm and
// says why.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli, tempDir } from './cli-helpers';
import { webgpuSkipReason } from './webgpu-helpers';
import { findSwiftShaderIcd } from '../../src/runtime/backend/webgpu';

let skip: string | undefined;
let dir: string;
before(async () => {
  // Sets VK_ICD_FILENAMES in this process's environment, which the CLI children inherit.
  const swiftshader = findSwiftShaderIcd();
  if (!process.env.VK_ICD_FILENAMES && swiftshader) process.env.VK_ICD_FILENAMES = swiftshader;
  skip = await webgpuSkipReason();
  ensureBuilt();
  dir = tempDir('webgpu');
  const config = {
    data: { path: 'builtin:mnist', limit: 32 },
    model: { generatorFilters: 4, discriminatorFilters: 4 },
    training: { batchSize: 8, steps: 1 },
    output: { dir: 'runs', sampleEvery: 1, checkpointEvery: 1, sampleCount: 4 },
  };
  fs.writeFileSync(path.join(dir, 'dcgan.json'), JSON.stringify(config));
});

test('--backend auto with only a software adapter picks wasm and says why', async (t) => {
  if (skip) return t.skip(skip);
  const r = await runCli(['train', path.join(dir, 'dcgan.json'), '--backend', 'auto'], { cwd: dir, timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Backend: wasm.*webgpu: only a software adapter \((SwiftShader|llvmpipe)[^)]*\).*set runtime\.backend to "webgpu"/);
});

test('--backend webgpu trains on the software adapter and names it', async (t) => {
  if (skip) return t.skip(skip);
  const r = await runCli(['train', path.join(dir, 'dcgan.json'), '--backend', 'webgpu', '--json'], { cwd: dir, timeoutMs: 600_000 });
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const start = events.find((e) => e.event === 'start');
  assert.equal(start.backend.name, 'webgpu');
  assert.equal(start.backend.adapter.software, true);
  assert.match(start.backend.adapter.description, /SwiftShader|llvmpipe/);
  const step = events.find((e) => e.event === 'step');
  assert.ok(step && Number.isFinite(step.lossD) && Number.isFinite(step.lossG), 'one finite step');
  assert.equal(events.at(-1).event, 'end');
  assert.equal(events.at(-1).reason, 'completed');
});
