// A newcomer's first `dcgan-studio train` on a machine without a usable GPU driver: Dawn's native warnings
// ("vkCreateInstance: Found no drivers!", "Couldn't load Vulkan: …", lavapipe's "… artificially reduced …") are
// printed by native code straight to stderr when Dawn first looks at the system. The adapter probe runs in a child
// process (src/runtime/backend/webgpu.ts), so none of it reaches the terminal or the --json stream, and the Backend
// line still says why webgpu was not used. Before the probe moved, both cases below printed those lines.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli, tempDir } from './cli-helpers';
import { webgpuEnv } from './webgpu-helpers';
import { findDawn } from '../../src/runtime/backend/webgpu';

const DAWN_NOISE = /vkCreateInstance|loader_get_json|Couldn't load Vulkan|artificially reduced|BackendVk|VulkanError|^Warning:/m;
/** Everything printed but the Backend line, which quotes Dawn's reason on purpose. */
const outside = (text: string) => text.split('\n').filter((l) => !l.startsWith('Backend: ')).join('\n');
let dir: string;
let skip: string | undefined;

before(() => {
  ensureBuilt();
  // Without the webgpu package there is nothing to probe (and nothing to print): the optional dependency is
  // installed by npm ci here and in CI.
  const dawn = findDawn();
  if ('reason' in dawn) skip = `SKIPPED: ${dawn.reason}`;
  dir = tempDir('noise');
  fs.writeFileSync(path.join(dir, 'dcgan.json'), JSON.stringify({
    data: { path: 'builtin:mnist', limit: 16 },
    model: { generatorFilters: 2, discriminatorFilters: 2 },
    training: { batchSize: 8, steps: 1 },
    output: { dir: 'runs', sampleEvery: 1, checkpointEvery: 1, sampleCount: 4 },
    runtime: { backend: 'auto', threads: 1 },
  }));
});

async function trainWith(icd: string, json: boolean) {
  const saved = process.env.VK_ICD_FILENAMES;
  process.env.VK_ICD_FILENAMES = icd;
  try {
    return await runCli(['train', path.join(dir, 'dcgan.json'), ...(json ? ['--json'] : [])], { cwd: dir, timeoutMs: 120_000 });
  } finally {
    if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = saved;
  }
}

test('no Vulkan driver: no native warning reaches the terminal, and the Backend line keeps the reason', async (t) => {
  if (skip) return t.skip(skip);
  const r = await trainWith(path.join(dir, 'no-such-icd.json'), false);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(outside(r.stdout + r.stderr), DAWN_NOISE, 'Dawn printed to the terminal');
  assert.match(r.stdout, /Backend: wasm.*webgpu found no GPU adapter \(VK_ICD_FILENAMES is [^;]*no-such-icd\.json; Dawn: vkCreateInstance: Found no drivers!\)/);
});

test('no Vulkan driver, --json: every stdout line is an event', async (t) => {
  if (skip) return t.skip(skip);
  const r = await trainWith(path.join(dir, 'no-such-icd.json'), true);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, DAWN_NOISE);
  const lines = r.stdout.trim().split('\n');
  for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
  const start = lines.map((l) => JSON.parse(l)).find((e) => e.event === 'start');
  assert.match(start.backend.reason, /webgpu found no GPU adapter/);
});

test('a software adapter under auto: skipped, named, and silent', async (t) => {
  if (skip) return t.skip(skip);
  const icd = webgpuEnv().VK_ICD_FILENAMES;
  if (!icd) return t.skip('SKIPPED: no software Vulkan driver (scripts/install-lavapipe.sh, or chromium for SwiftShader)');
  const r = await trainWith(icd, false);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(outside(r.stdout + r.stderr), DAWN_NOISE, 'Dawn printed to the terminal');
  assert.match(r.stdout, /Backend: wasm.*webgpu: only a software adapter \((SwiftShader|llvmpipe)/);
});
